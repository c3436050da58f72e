/* The staff dashboard: the case map (clusters, heat map, district choropleth, overlay
 * layers) and the Chart.js charts, set up from data- attributes (the CSP allows no inline
 * script). Each part marks its element with data-drawn once it is drawn.
 *
 * #dashboard-map  data-center-lat/-lon, data-zoom, data-extent, data-tile-url,
 *                 data-cases-url (asked with the view's bbox: see map_view.js),
 *                 data-districts-url, data-layers-url
 * #trend-chart    data-url: weeks with filed, resolved and median hours to resolve
 * #group-chart    data-labels, data-values (JSON arrays), data-title
 */
(function () {
  "use strict";

  var COLOURS = { on_time: "#2f7d4a", overdue: "#c0392b" };
  var SCALE = ["#f1eef6", "#d4b9da", "#c994c7", "#df65b0", "#dd1c77", "#980043"];
  var OVERLAY_STYLE = { color: "#1f6fb2", weight: 2, fillOpacity: 0.15 };

  var t = casemgrTexts(document.getElementById("dashboard-map"));
  var view = window.casemgrMapView;

  function mark(element, part) {
    var drawn = element.dataset.drawn ? element.dataset.drawn.split(" ") : [];
    drawn.push(part);
    element.dataset.drawn = drawn.join(" ");
  }

  // Popups are built from text nodes: case fields and layer properties are user text.
  function textLine(parent, text, tag) {
    var line = document.createElement(tag || "div");
    line.textContent = text;
    parent.appendChild(line);
    return line;
  }

  // The layers control writes its labels as HTML; names an admin typed must stay text.
  function escaped(text) {
    var holder = document.createElement("span");
    holder.textContent = String(text);
    return holder.innerHTML;
  }

  function casePopup(properties) {
    var box = document.createElement("div");
    box.className = "case-popup";
    var link = document.createElement("a");
    link.href = "/cases/" + encodeURIComponent(properties.id);
    link.textContent = properties.reference;
    box.appendChild(link);
    textLine(box, properties.category + " · " + t(properties.status));
    textLine(box, properties.timeliness === "overdue" ? t("Overdue") : t("On time"));
    return box;
  }

  function propertiesPopup(properties) {
    var box = document.createElement("div");
    Object.keys(properties || {}).slice(0, 12).forEach(function (key) {
      textLine(box, key + ": " + String(properties[key]));
    });
    return box;
  }

  // -- the cases: clusters and heat ------------------------------------------------------

  function casePoint(feature, latlng) {
    var marker = L.circleMarker(latlng, {
      radius: 7,
      weight: 1,
      color: "#fff",
      fillColor: COLOURS[feature.properties.timeliness] || "#555",
      fillOpacity: 0.9,
    });
    marker.bindPopup(casePopup(feature.properties));
    return marker;
  }

  function clusterMarker(map, feature) {
    var marker = view.clusterMarker(map, feature);
    var p = feature.properties;
    marker.bindTooltip(t("%(count)s cases · %(overdue)s overdue",
                         { count: p.count, overdue: p.overdue }));
    return marker;
  }

  // The visible view's cases, asked for again after each move: each case, or the server's
  // clusters of a view with more cases than the map can draw.
  function drawCases(map, control, element) {
    var clusters = view.clusterGroup();
    var heat = L.heatLayer([], { radius: 22, blur: 18, maxZoom: 15 });
    clusters.addTo(map);
    heat.addTo(map);
    control.addOverlay(clusters, escaped(t("Cases (clusters)")));
    control.addOverlay(heat, escaped(t("Cases (heat map)")));

    function draw(collection) {
      var points = [];
      var markers = collection.features.map(function (feature) {
        var point = feature.geometry.coordinates;
        var latlng = L.latLng(point[1], point[0]);
        var isCluster = view.isCluster(feature);
        points.push([latlng.lat, latlng.lng, 0.6 * (isCluster ? feature.properties.count : 1)]);
        return isCluster ? clusterMarker(map, feature) : casePoint(feature, latlng);
      });
      clusters.clearLayers();
      clusters.addLayers(markers);
      heat.setLatLngs(points);
      var total = collection.total === undefined ? markers.length : collection.total;
      element.dataset.cases = String(total);
      if (!/\bcases\b/.test(element.dataset.drawn || "")) {
        mark(element, "cases");
        mark(element, "heat");
      }
    }

    return new Promise(function (resolve, reject) {
      view.follow(map, element, function () { return element.dataset.casesUrl; },
                  function (collection) { draw(collection); resolve(); },
                  function (error) { reject(error); element.dataset.problem = String(error); });
    });
  }

  // -- the district choropleth -----------------------------------------------------------

  function bins(values) {
    var top = Math.max.apply(null, values.concat([0]));
    return function (value) {
      if (value === null || value === undefined) return "#ffffff";
      if (top === 0) return SCALE[0];
      return SCALE[Math.min(SCALE.length - 1, Math.floor((value / top) * (SCALE.length - 1)))];
    };
  }

  function showScale(metric, values) {
    var scale = document.getElementById("choropleth-scale");
    if (!scale) return;
    scale.textContent = "";
    var top = Math.max.apply(null, values.concat([0]));
    [SCALE[0], SCALE[SCALE.length - 1]].forEach(function (colour, index) {
      var swatch = document.createElement("span");
      swatch.className = "choropleth-swatch";
      swatch.style.background = colour;
      scale.appendChild(swatch);
      scale.appendChild(document.createTextNode(index === 0 ? "0" : String(top)));
    });
  }

  function drawChoropleth(map, control, element) {
    var picker = document.getElementById("choropleth-metric");
    return casemgrFetch.json(element.dataset.districtsUrl).then(function (collection) {
      var layer = L.geoJSON(collection, {
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var box = document.createElement("div");
          textLine(box, p.name, "strong");
          textLine(box, t("Open: %(open)s · overdue: %(overdue)s",
                          { open: p.open, overdue: p.overdue }));
          textLine(box, t("Median hours to resolve: %(hours)s", {
            hours: p.median_hours_to_resolve === null ? "—" : p.median_hours_to_resolve,
          }));
          shape.bindTooltip(box, { sticky: true });
        },
      });

      function paint() {
        var metric = picker ? picker.value : "open";
        var values = collection.features.map(function (f) { return f.properties[metric]; })
          .filter(function (v) { return v !== null && v !== undefined; });
        var colour = bins(values);
        layer.setStyle(function (feature) {
          return {
            color: "#12355b",
            weight: 1,
            fillColor: colour(feature.properties[metric]),
            fillOpacity: 0.55,
          };
        });
        showScale(metric, values);
      }

      paint();
      if (picker) picker.addEventListener("change", paint);
      layer.addTo(map);
      layer.bringToBack();
      control.addOverlay(layer, escaped(t("Districts (choropleth)")));
      mark(element, "choropleth");
    });
  }

  // -- overlay layers an admin uploaded --------------------------------------------------

  function drawOverlays(map, control, element) {
    return casemgrFetch.json(element.dataset.layersUrl).then(function (listing) {
      return Promise.all(listing.items.map(function (item) {
        return casemgrFetch.json(item.url).then(function (collection) {
          var layer = L.geoJSON(collection, {
            style: OVERLAY_STYLE,
            pointToLayer: function (feature, latlng) {
              return L.circleMarker(latlng, { radius: 4, color: OVERLAY_STYLE.color });
            },
            onEachFeature: function (feature, shape) {
              shape.bindPopup(propertiesPopup(feature.properties));
            },
          });
          layer.addTo(map);
          control.addOverlay(layer, escaped(item.name));
        });
      })).then(function () { mark(element, "layers"); });
    });
  }

  function setUpMap(element) {
    var data = element.dataset;
    // The cluster and heat layers need a zoom range even when no tiles are drawn.
    var map = L.map(element, { scrollWheelZoom: false, minZoom: 3, maxZoom: 19 });
    view.open(map, data);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    }
    var control = L.control.layers(null, null, { collapsed: false }).addTo(map);
    var report = function (error) {
      element.dataset.problem = String(error);
    };
    drawChoropleth(map, control, element).then(function () {
      return drawCases(map, control, element);
    }).then(function () {
      return drawOverlays(map, control, element);
    }).catch(report);
  }

  // -- charts ----------------------------------------------------------------------------

  function drawTrends(canvas) {
    casemgrFetch.json(canvas.dataset.url).then(function (trends) {
      new Chart(canvas, {
        data: {
          labels: trends.weeks,
          datasets: [
            { type: "bar", label: t("Filed"), data: trends.filed, backgroundColor: "#4f86c6" },
            { type: "bar", label: t("Resolved"), data: trends.resolved,
              backgroundColor: "#2f7d4a" },
            {
              type: "line",
              label: t("Median hours to resolve"),
              data: trends.median_hours_to_resolve,
              borderColor: "#c0392b",
              yAxisID: "hours",
            },
          ],
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          scales: {
            y: { beginAtZero: true, title: { display: true, text: t("cases per week") } },
            hours: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                     title: { display: true, text: t("hours") } },
          },
        },
      });
      mark(canvas, "chart");
    }).catch(function (error) { canvas.dataset.problem = String(error); });
  }

  function drawGroups(canvas) {
    var labels = JSON.parse(canvas.dataset.labels || "[]");
    var shares = JSON.parse(canvas.dataset.values || "[]").map(function (share) {
      return share === null ? null : Math.round(share * 1000) / 10;
    });
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{ label: canvas.dataset.title + " (%)", data: shares, backgroundColor: "#2f7d4a" }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: "y",
        scales: { x: { min: 0, max: 100 } },
      },
    });
    mark(canvas, "chart");
  }

  var mapElement = document.getElementById("dashboard-map");
  if (mapElement) setUpMap(mapElement);
  var trendCanvas = document.getElementById("trend-chart");
  if (trendCanvas) drawTrends(trendCanvas);
  var groupCanvas = document.getElementById("group-chart");
  if (groupCanvas) drawGroups(groupCanvas);
})();
