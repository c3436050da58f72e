/* The public map of reports: clustered markers from /map/cases.json, refiltered on change. */
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
  map.setView([parseFloat(data.centerLat), parseFloat(data.centerLon)], parseInt(data.zoom, 10) || 12);
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
  }
  var clusters = L.markerClusterGroup();
  var fitted = false;
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

  function draw(collection) {
    clusters.clearLayers();
    var markers = collection.features.map(function (feature) {
      var point = feature.geometry.coordinates;
      var marker = L.marker([point[1], point[0]], { keyboard: false });
      marker.bindPopup(popup(feature.properties));
      return marker;
    });
    clusters.addLayers(markers);
    // Show where the reports are the first time there are some; later filters keep the view.
    if (markers.length && !fitted) {
      map.fitBounds(clusters.getBounds(), { maxZoom: 15, padding: [20, 20] });
      fitted = true;
    }
    count.textContent = markers.length + " " + count.dataset.label;
    element.dataset.drawn = String(markers.length);
  }

  function load() {
    var query = new URLSearchParams();
    if (status.value) query.set("status", status.value);
    if (category.value) query.set("category", category.value);
    casemgrFetch.json(data.casesUrl + "?" + query)
      .then(draw)
      .catch(function () { draw({ features: [] }); });
  }

  status.addEventListener("change", load);
  category.addEventListener("change", load);
  document.getElementById("map-filters").addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
  load();
})();
