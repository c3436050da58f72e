/* The public map of reports: the visible view's reports from /map/cases.json (points, or the
 * server's clusters of a crowded view), fetched again on each move and filter change. */
(function () {
  "use strict";

  var element = document.getElementById("public-map");
  if (!element) return;
  var data = element.dataset;
  var status = document.getElementById("map-status");
  var category = document.getElementById("map-category");
  var count = document.getElementById("map-count");

  // markercluster needs a maxZoom even when no tile layer sets one (offline maps).
  var map = L.map(element, { scrollWheelZoom: false, maxZoom: 19 });
  var view = window.casemgrMapView;
  view.open(map, data);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
  }
  var clusters = view.clusterGroup();
  map.addLayer(clusters);

  // Built from text nodes: nothing from the server is read as HTML.
  function popup(properties) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.reference;
    box.appendChild(title);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(properties.category_name + " · " + properties.status));
    box.appendChild(document.createElement("br"));
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = data.trackLabel;
    box.appendChild(link);
    return box;
  }

  function pointMarker(feature) {
    var point = feature.geometry.coordinates;
    var marker = L.marker([point[1], point[0]], { keyboard: false });
    marker.bindPopup(popup(feature.properties));
    return marker;
  }

  // The view's reports: each one, or the server's clusters when the view holds too many.
  function draw(collection) {
    clusters.clearLayers();
    var markers = collection.features.map(function (feature) {
      return view.isCluster(feature) ? view.clusterMarker(map, feature) : pointMarker(feature);
    });
    clusters.addLayers(markers);
    var total = collection.total === undefined ? markers.length : collection.total;
    count.textContent = total + " " + count.dataset.label;
    element.dataset.drawn = String(markers.length);
  }

  function casesUrl() {
    var query = new URLSearchParams();
    if (status.value) query.set("status", status.value);
    if (category.value) query.set("category", category.value);
    return data.casesUrl + "?" + query;
  }

  var load = view.follow(map, element, casesUrl, draw, function () {
    draw({ features: [] });
  });
  status.addEventListener("change", load);
  category.addEventListener("change", load);
  document.getElementById("map-filters").addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
})();
