/* Leaflet maps of casemgr's pages, set up from the data- attributes of each .map element.
 *
 * data-center-lat/-lon, data-zoom   the city's view
 * data-tile-url                     tile URL template; empty draws the districts only
 * data-districts-url                GeoJSON of the city's districts, always drawn
 * data-point-lat/-lon               a marker (the case's point)
 * data-pick, data-lat-input,        clicking the map moves the marker and fills the inputs;
 * data-lon-input,                   typing in the inputs moves the marker
 * data-district-label               an element that names the district under the marker
 */
(function () {
  "use strict";

  var DISTRICT_STYLE = { color: "#12355b", weight: 1.5, fillColor: "#4f86c6", fillOpacity: 0.08 };
  var PICK_ZOOM = 14;

  function number(value) {
    var parsed = parseFloat(value);
    return isNaN(parsed) ? null : parsed;
  }

  // Ray casting over one ring of [lon, lat] pairs.
  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function inPolygon(lon, lat, rings) {
    if (!inRing(lon, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) {
      if (inRing(lon, lat, rings[k])) return false;
    }
    return true;
  }

  function districtAt(features, lat, lon) {
    for (var i = 0; i < features.length; i++) {
      var geometry = features[i].geometry;
      var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      for (var p = 0; p < polygons.length; p++) {
        if (inPolygon(lon, lat, polygons[p])) return features[i].properties.name;
      }
    }
    return null;
  }

  function drawDistricts(map, url, state) {
    if (!url) return;
    casemgrFetch.json(url)
      .then(function (collection) {
        state.features = collection.features || [];
        L.geoJSON(collection, {
          style: DISTRICT_STYLE,
          onEachFeature: function (feature, layer) {
            // A text node, never HTML: names come from files an operator loaded.
            var label = document.createElement("span");
            label.textContent = String(feature.properties.name || "");
            layer.bindTooltip(label, { sticky: true });
          },
        }).addTo(map);
        map.getContainer().classList.add("has-districts");
        if (state.onDistricts) state.onDistricts();
      })
      .catch(function () { state.features = []; });
  }

  function setUpPicker(map, element, state) {
    var data = element.dataset;
    var latInput = document.getElementById(data.latInput);
    var lonInput = document.getElementById(data.lonInput);
    var label = data.districtLabel ? document.getElementById(data.districtLabel) : null;
    var t = casemgrTexts(element);

    function describe(lat, lon) {
      if (!label) return;
      if (lat === null || lon === null) {
        label.textContent = "";
        return;
      }
      var name = districtAt(state.features || [], lat, lon);
      label.textContent = name ? t("District: %(name)s", { name: name })
        : t("This point is outside the city's districts.");
    }

    map.on("click", function (event) {
      var lat = event.latlng.lat, lon = event.latlng.lng;
      state.place([lat, lon]);
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      // Let other scripts of the page (report.js) know the point changed.
      lonInput.dispatchEvent(new Event("input", { bubbles: true }));
      describe(lat, lon);
    });

    function typed() {
      var lat = number(latInput.value), lon = number(lonInput.value);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return;
      state.place([lat, lon]);
      map.setView([lat, lon], Math.max(map.getZoom(), PICK_ZOOM));
      describe(lat, lon);
    }
    latInput.addEventListener("change", typed);
    lonInput.addEventListener("change", typed);
    state.onDistricts = function () { describe(number(latInput.value), number(lonInput.value)); };
  }

  function setUp(element) {
    var data = element.dataset;
    var center = [number(data.centerLat), number(data.centerLon)];
    var point = [number(data.pointLat), number(data.pointLon)];
    var hasPoint = point[0] !== null && point[1] !== null;
    var map = L.map(element, { scrollWheelZoom: false });
    var state = { marker: null, features: null };

    map.setView(hasPoint ? point : center, hasPoint ? PICK_ZOOM : number(data.zoom) || 12);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    }
    state.place = function (latlng) {
      if (state.marker) state.marker.setLatLng(latlng);
      else state.marker = L.marker(latlng, { keyboard: false }).addTo(map);
    };
    if (hasPoint) state.place(point);
    if (data.pick) setUpPicker(map, element, state);
    drawDistricts(map, data.districtsUrl, state);
    element.classList.add("map-ready");
  }

  document.querySelectorAll(".map[data-center-lat]").forEach(setUp);
})();
