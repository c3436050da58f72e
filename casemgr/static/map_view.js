/* What the public map and the dashboard map share: fetching the cases of the visible view
 * (bbox) again after each move or zoom, and drawing the server's grid clusters.
 *
 * A view with more cases than a map can draw is answered with clusters (kind "clusters"):
 * one point per grid cell with its count and the bbox of its cases. They are drawn as
 * markercluster icons whose number is the count; a click zooms to the cluster's cases.
 * Each map element records what it asked for last in data-bbox, the view of the answer
 * it shows in data-shown-bbox and that answer's kind in data-kind, for people reading the
 * page's state and for the browser tests. A map opens on
 * data-extent (west,south,east,north: the city's districts) when given.
 */
(function () {
  "use strict";

  // Wait this long after the map stops moving before asking: a drag fires many moves.
  var SETTLE_MS = 250;

  function bboxOf(map) {
    var bounds = map.getBounds();
    // Leaflet's bounds may leave the globe at low zoom; the server refuses such a box.
    var clamp = function (value, limit) { return Math.max(-limit, Math.min(limit, value)); };
    return [
      clamp(bounds.getWest(), 180), clamp(bounds.getSouth(), 90),
      clamp(bounds.getEast(), 180), clamp(bounds.getNorth(), 90),
    ].map(function (value) { return value.toFixed(6); }).join(",");
  }

  function withBbox(url, bbox) {
    var address = new URL(url, window.location.href);
    address.searchParams.set("bbox", bbox);
    return address.pathname + address.search;
  }

  // Ask for the cases of the visible view now and after each move; only the answer to the
  // latest question is drawn, so a slow answer never paints over a newer view.
  function follow(map, element, urlOf, draw, fail) {
    var asked = 0;
    var timer = null;

    function load() {
      var number = ++asked;
      var bbox = bboxOf(map);
      element.dataset.bbox = bbox;
      casemgrFetch.json(withBbox(urlOf(), bbox))
        .then(function (collection) {
          if (number !== asked) return;
          element.dataset.kind = collection.kind || "points";
          draw(collection);
          element.dataset.shownBbox = bbox;
        })
        .catch(function (error) { if (number === asked && fail) fail(error); });
    }

    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(load, SETTLE_MS);
    });
    load();
    return load;
  }

  // Open on the city's districts when the page names their extent, else on its centre.
  function open(map, data) {
    var box = (data.extent || "").split(",").map(parseFloat);
    if (box.length === 4 && box.every(function (value) { return !isNaN(value); })) {
      map.fitBounds([[box[1], box[0]], [box[3], box[2]]]);
      return;
    }
    map.setView([parseFloat(data.centerLat), parseFloat(data.centerLon)],
                parseInt(data.zoom, 10) || 12);
  }

  function isCluster(feature) {
    return Boolean(feature.properties && feature.properties.cluster);
  }

  // markercluster sums what it merges: a server cluster counts its cases, a point one.
  function countOf(marker) {
    return marker.options.caseCount || 1;
  }

  function iconFor(count) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var label = document.createElement("span");
    label.textContent = String(count);
    var inner = document.createElement("div");
    inner.appendChild(label);
    return L.divIcon({
      html: inner.outerHTML,
      className: "marker-cluster marker-cluster-" + size,
      iconSize: L.point(40, 40),
    });
  }

  function clusterGroup() {
    return L.markerClusterGroup({
      iconCreateFunction: function (cluster) {
        return iconFor(cluster.getAllChildMarkers().reduce(function (sum, marker) {
          return sum + countOf(marker);
        }, 0));
      },
    });
  }

  function clusterMarker(map, feature) {
    var point = feature.geometry.coordinates;
    var count = feature.properties.count;
    var marker = L.marker([point[1], point[0]], {
      icon: iconFor(count), caseCount: count, keyboard: false,
    });
    marker.on("click", function () {
      var box = feature.properties.bbox;
      var bounds = L.latLngBounds([box[1], box[0]], [box[3], box[2]]);
      map.fitBounds(bounds.pad(0.1), { maxZoom: map.getMaxZoom() });
    });
    return marker;
  }

  window.casemgrMapView = {
    open: open,
    follow: follow,
    isCluster: isCluster,
    clusterGroup: clusterGroup,
    clusterMarker: clusterMarker,
  };
})();
