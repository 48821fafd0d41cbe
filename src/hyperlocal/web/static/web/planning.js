/* The planner's map: reads #map-data (web/planning_display.py plan_map) and draws the dongs,
   the cells each site covers in the site's colour, uncovered demand in grey, new sites as
   numbered round pins and existing hubs as square ones, each with a popup. */
(function () {
  "use strict";

  var DEFAULT_CENTRE = [37.5663, 126.9019];
  var DONG = { color: "#94a3b8", land: "#f8fafc" };

  function text(tag, value, className) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  function pane(map, name, zIndex) {
    map.createPane(name).style.zIndex = String(zIndex);
  }

  // Leaflet puts a string tooltip in as HTML; space names come from imported files, so
  // they go in as text.
  function textLabel(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function popup(site, data) {
    var box = document.createElement("div");
    box.className = "site-popup";
    box.appendChild(text("strong", site.n + ". " + site.name));
    box.appendChild(document.createElement("br"));
    box.appendChild(text("small", site.existing ? data.labels.existing : data.labels["new"]));
    if (site.address) {
      box.appendChild(document.createElement("br"));
      box.appendChild(text("small", site.address));
    }
    box.appendChild(document.createElement("br"));
    box.appendChild(text("span", site.facts));
    if (site.url) {
      box.appendChild(document.createElement("br"));
      var link = text("a", site.link);
      link.href = site.url;
      box.appendChild(link);
    }
    return box;
  }

  function init() {
    var el = document.getElementById("map");
    var source = document.getElementById("map-data");
    if (!el || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { zoomSnap: 0.25, scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: data.labels.zoom_in, zoomOutTitle: data.labels.zoom_out }).addTo(map);
    map.setView(DEFAULT_CENTRE, 13);
    pane(map, "dongs", 350);
    pane(map, "areas", 410);
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    map.attributionControl.addAttribution(data.attribution);
    var dongs = L.geoJSON(data.dongs, {
      pane: "dongs", interactive: false,
      style: { color: DONG.color, weight: 1.2, fill: !data.tiles, fillColor: DONG.land, fillOpacity: 1 }
    }).addTo(map);
    var bounds = L.latLngBounds([]);
    if (data.uncovered) {
      var grey = L.geoJSON(data.uncovered, {
        pane: "areas", interactive: false,
        style: { color: data.colours.uncovered, weight: 0.6, fillColor: data.colours.uncovered, fillOpacity: 0.35,
                 className: "uncovered-cells" }
      }).addTo(map);
      bounds.extend(grey.getBounds());
    }
    data.sites.forEach(function (site) {
      var colour = site.existing ? data.colours.existing : site.colour;
      if (site.area) {
        var area = L.geoJSON(site.area, {
          pane: "areas",
          style: { color: colour, weight: 1.2, opacity: 0.9, fillColor: colour, fillOpacity: 0.28,
                   className: "site-cells" }
        }).bindTooltip(textLabel(site.n + ". " + site.name), { sticky: true }).addTo(map);
        bounds.extend(area.getBounds());
      }
      var pin = document.createElement("span");
      pin.className = "site-pin" + (site.existing ? " existing" : " new");
      pin.style.background = colour;
      pin.textContent = String(site.n);
      var marker = L.marker([site.lat, site.lng], {
        title: site.name, alt: site.name, riseOnHover: true, zIndexOffset: site.existing ? 0 : 500,
        icon: L.divIcon({ className: "site-marker " + (site.existing ? "existing-hub" : "new-site"),
                          html: pin, iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12] })
      }).bindPopup(popup(site, data)).addTo(map);
      marker.getElement().dataset.key = site.key;
      bounds.extend([site.lat, site.lng]);
    });
    if (!bounds.isValid() && dongs.getLayers().length) bounds = dongs.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    el.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", init);
})();
