/* Maps on a tap: Leaflet (static/vendor/leaflet-1.9.4) and the tiles load only when the visitor
   presses "Show map" (never on scrolling: tiles cost a slow line dearly). When the tiles do not come,
   the page says so in words next to the coordinates and the outside map links, instead of leaving a
   grey box. Without JavaScript the page already shows the coordinates and links to OpenStreetMap
   and Google Maps. Everything the script needs comes from
   data- attributes on the [data-map] element; it adds no inline <style> and no inline script. */
(function () {
  "use strict";

  var leafletPromise = null;

  function loadLeaflet(slot) {
    if (window.L) {
      return Promise.resolve(window.L);
    }
    if (leafletPromise) {
      return leafletPromise;
    }
    leafletPromise = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = slot.dataset.leafletCss;
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = slot.dataset.leafletJs;
      script.onload = function () {
        resolve(window.L);
      };
      script.onerror = function () {
        leafletPromise = null;
        reject(new Error("Leaflet could not be loaded"));
      };
      document.head.appendChild(script);
    });
    return leafletPromise;
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function setStatus(slot, text) {
    var status = slot.querySelector(".map-status");
    if (status) {
      status.textContent = text;
    }
  }

  /* The words go into the status line above the map (role="status"), beside the coordinates and
     the links, so a screen reader hears them too. */
  function tilesFailed(slot, yes) {
    var status = slot.mapStatus;
    if (!status) { return; }
    status.textContent = yes ? (slot.dataset.tilesFailedLabel || slot.dataset.errorLabel || "") : "";
  }

  function showMap(slot) {
    if (slot.dataset.state === "loading" || slot.dataset.state === "shown") {
      return;
    }
    slot.dataset.state = "loading";
    setStatus(slot, slot.dataset.loadingLabel || "");
    loadLeaflet(slot).then(function (L) {
      var lat = parseFloat(slot.dataset.lat);
      var lon = parseFloat(slot.dataset.lon);
      var zoom = parseInt(slot.dataset.zoom || "15", 10);
      var placeholder = slot.querySelector(".map-placeholder");
      if (placeholder) {
        placeholder.remove();
      }
      var canvas = document.createElement("div");
      canvas.className = "map-canvas";
      canvas.setAttribute("role", "region");
      canvas.setAttribute("aria-label", slot.dataset.mapLabel || "");
      slot.appendChild(canvas);
      // Leaflet guesses its image folder from its stylesheet's URL, which carries a ?v= hash here.
      L.Icon.Default.imagePath = slot.dataset.leafletCss.split("?")[0].replace(/[^\/]*$/, "") + "images/";
      var map = L.map(canvas, { scrollWheelZoom: false }).setView([lat, lon], zoom);
      var tiles = L.tileLayer(slot.dataset.tileUrl, {
        maxZoom: 19,
        attribution: '<a href="https://www.openstreetmap.org/copyright">' +
          escapeHtml(slot.dataset.attribution || "OpenStreetMap") + "</a>"
      });
      var loaded = 0;
      var failed = 0;
      tiles.on("tileload", function () {
        loaded += 1;
        slot.classList.remove("map-tiles-failed");
        tilesFailed(slot, false);
      });
      tiles.on("tileerror", function () {
        failed += 1;
        if (!loaded) {
          slot.classList.add("map-tiles-failed");
          tilesFailed(slot, true);
        }
      });
      tiles.addTo(map);
      L.marker([lat, lon], {
        alt: slot.dataset.markerLabel || "",
        title: slot.dataset.markerLabel || "",
        keyboard: false
      }).addTo(map);
      slot.dataset.state = "shown";
      slot.classList.add("map-shown");
    }).catch(function () {
      slot.dataset.state = "";
      setStatus(slot, slot.dataset.errorLabel || "");
    });
  }

  function prepare(slot) {
    var placeholder = document.createElement("div");
    placeholder.className = "map-placeholder";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary map-button";
    button.textContent = slot.dataset.showLabel || "Map";
    button.addEventListener("click", function () {
      showMap(slot);
    });
    var status = document.createElement("p");
    status.className = "map-status";
    status.setAttribute("role", "status");
    placeholder.appendChild(button);
    placeholder.appendChild(status);
    slot.appendChild(placeholder);
    slot.classList.add("map-ready");
    // A line above the map for "the tiles did not load": outside the map box, which Leaflet owns.
    var notice = document.createElement("p");
    notice.className = "map-notice";
    notice.setAttribute("role", "status");
    slot.parentNode.insertBefore(notice, slot);
    slot.mapStatus = notice;
  }

  document.querySelectorAll("[data-map]").forEach(prepare);
})();
