/* hyperlocal maps: reads the JSON the page embeds (#map-data) and draws it with Leaflet.
   Offline by default: without a tile URL the dongs' boundaries are the base layer. */
(function () {
  "use strict";

  var DEFAULT_CENTRE = [37.5663, 126.9019];  // Mapo-gu Office, for a map with nothing to fit
  var COLOURS = { dong: "#94a3b8", land: "#f8fafc", cell: "#2563eb", home: "#dc2626", area: "#0f766e" };

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  function pane(map, name, zIndex) {
    map.createPane(name).style.zIndex = String(zIndex);
    return name;
  }

  function drawDongs(map, data) {
    var outlines = L.geoJSON(data.dongs, {
      pane: "dongs",
      interactive: false,
      style: {
        color: COLOURS.dong, weight: 1.2, fill: !data.tiles, fillColor: COLOURS.land, fillOpacity: 1,
        className: "dong"
      }
    }).addTo(map);
    var labels = L.layerGroup().addTo(map);
    data.dongs.features.forEach(function (feature) {
      var p = feature.properties;
      if (p.lat == null || p.lng == null) return;
      L.marker([p.lat, p.lng], {
        pane: "labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "dong-label", html: text("span", p.name), iconSize: null })
      }).addTo(labels);
    });
    // Labels crowd a phone screen when zoomed far out: hide them below zoom 11.5, and
    // shrink them below 13.
    function toggleLabels() {
      var zoom = map.getZoom();
      var labelPane = map.getPane("labels");
      labelPane.style.display = zoom >= 11.5 ? "" : "none";
      labelPane.classList.toggle("small-labels", zoom < 13);
    }
    map.on("zoomend", toggleLabels);
    map.whenReady(toggleLabels);
    return outlines;
  }

  function drawCells(map, data) {
    if (!data.cells) return null;
    return L.geoJSON(data.cells, {
      pane: "cells",
      interactive: false,
      style: function (feature) {
        var home = feature.properties.home;
        return {
          color: home ? COLOURS.home : COLOURS.cell, weight: home ? 2 : 0.8, opacity: 0.9,
          fillColor: home ? COLOURS.home : COLOURS.cell, fillOpacity: home ? 0.35 : 0.16,
          className: home ? "nb-cell nb-home" : "nb-cell"
        };
      }
    }).addTo(map);
  }

  function areaLayer(hub, overview) {
    // Nested outlines (all of the ride, two thirds, one third): overlapping fills get darker
    // where delivery is quicker. An overview of several hubs gets outer outlines only, lighter.
    return L.geoJSON(hub.area, {
      pane: "areas",
      interactive: false,
      style: {
        color: COLOURS.area, weight: overview ? 1.5 : 1, opacity: 0.7, fillColor: COLOURS.area,
        fillOpacity: overview ? 0.08 : 0.13, className: "area-band"
      }
    });
  }

  function drawHubs(map, data) {
    var areas = [];
    data.hubs.forEach(function (hub, index) {
      var popup = document.createElement("div");
      var link = text("a", hub.name);
      link.href = hub.url;
      popup.appendChild(link);
      L.marker([hub.lat, hub.lng], { title: hub.name, alt: hub.name }).bindPopup(popup).addTo(map);
      var layer = areaLayer(hub, data.overview);
      areas.push(layer);
      var toggles = document.querySelectorAll('.area-toggle[data-hub="' + index + '"]');
      var shown = data.show_areas || Array.prototype.some.call(toggles, function (t) { return t.checked; });
      if (shown) layer.addTo(map);
      toggles.forEach(function (toggle) {
        toggle.addEventListener("change", function () {
          if (toggle.checked) layer.addTo(map); else map.removeLayer(layer);
        });
      });
    });
    return areas;
  }

  function enablePicking(map, data) {
    var lat = document.getElementById("id_lat");
    var lng = document.getElementById("id_lng");
    if (!lat || !lng) return;
    var marker = null;
    function place(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = L.circleMarker(latlng, {
        pane: "cells", radius: 8, color: "#fff", weight: 2, fillColor: COLOURS.home, fillOpacity: 1
      }).bindTooltip(data.labels.picked).addTo(map);
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      place(event.latlng);
    });
    function typed() {
      var a = parseFloat(lat.value), b = parseFloat(lng.value);
      if (isFinite(a) && isFinite(b) && Math.abs(a) <= 90 && Math.abs(b) <= 180) place([a, b]);
    }
    lat.addEventListener("change", typed);
    lng.addEventListener("change", typed);
    typed();
    map.getContainer().classList.add("picking");
  }

  function init() {
    var el = document.getElementById("map");
    var source = document.getElementById("map-data");
    if (!el || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { zoomSnap: 0.25, scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: data.labels.zoom_in, zoomOutTitle: data.labels.zoom_out }).addTo(map);
    // A view before any layer: circle markers need their renderer's bounds, set on first view.
    map.setView(DEFAULT_CENTRE, 13);
    pane(map, "dongs", 350);
    pane(map, "areas", 410);
    pane(map, "cells", 420);
    pane(map, "labels", 450);
    map.getPane("labels").style.pointerEvents = "none";
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    map.attributionControl.addAttribution(data.attribution);
    var dongs = drawDongs(map, data);
    var cells = drawCells(map, data);
    var areas = drawHubs(map, data);
    if (data.home) {
      L.circleMarker([data.home.lat, data.home.lng], {
        pane: "cells", radius: 6, color: "#fff", weight: 2, fillColor: COLOURS.home, fillOpacity: 1
      }).bindTooltip(data.labels.home).addTo(map);
    }
    if (data.pick) enablePicking(map, data);
    var bounds = null;
    if (cells) bounds = cells.getBounds();
    else if (data.show_areas && areas.length && areas[0].getLayers().length) bounds = areas[0].getBounds();
    else if (dongs.getLayers().length) bounds = dongs.getBounds();
    if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
    el.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", init);
})();
