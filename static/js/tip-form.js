/* Tip form, receipt and follow-up: progressive enhancement only.
 * Without this file everything still works: the place is chosen with "Next" buttons, the
 * location is typed, and the receipt is written down. All words come from the page (data-*),
 * already translated by the server. */
(function () {
  "use strict";

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  /* -- Place: province → district → commune → village without page reloads ------------------ */
  var LEVELS = ["province", "district", "commune", "village"];

  function setupPlaces(form) {
    var template = form.getAttribute("data-places-url");
    if (!template || !window.fetch) { return; }
    form.classList.add("has-js");

    function container(level) { return $(".place-level[data-level='" + level + "']", form); }
    function select(level) { return $("select[data-place-level='" + level + "']", form); }

    function clearFrom(index) {
      for (var i = index; i < LEVELS.length; i++) {
        var sel = select(LEVELS[i]);
        var box = container(LEVELS[i]);
        if (!sel || !box) { continue; }
        while (sel.options.length > 1) { sel.remove(1); }
        sel.value = "";
        box.hidden = true;
      }
    }

    function load(index, code) {
      var level = LEVELS[index];
      var sel = select(level);
      var box = container(level);
      if (!sel || !box) { return; }
      sel.setAttribute("aria-busy", "true");
      fetch(template.replace("CODE", encodeURIComponent(code)), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          sel.removeAttribute("aria-busy");
          if (!data || !data.places || !data.places.length) { return; }
          // The parent may have changed while we waited.
          if (select(LEVELS[index - 1]).value !== code) { return; }
          data.places.forEach(function (place) {
            var option = document.createElement("option");
            option.value = place.code;
            option.textContent = place.name;
            sel.appendChild(option);
          });
          box.hidden = false;
        })
        .catch(function () {
          // Offline or slow: fall back to the "Next" buttons, which still work.
          sel.removeAttribute("aria-busy");
          form.classList.remove("has-js");
        });
    }

    LEVELS.forEach(function (level, index) {
      var sel = select(level);
      if (!sel || index === LEVELS.length - 1) { return; }
      sel.addEventListener("change", function () {
        clearFrom(index + 1);
        if (sel.value) { load(index + 1, sel.value); }
      });
    });
  }

  /* -- "Use my location" -------------------------------------------------------------------- */
  function setupLocation(form) {
    var tools = $("#location-tools", form);
    var button = $("#use-location", form);
    var input = $("#coordinates", form);
    var source = $("#location_source", form);
    var radius = $("#uncertainty", form);
    var status = $("#location-status", form);
    if (!tools || !button || !input || !navigator.geolocation) { return; }
    tools.hidden = false;

    input.addEventListener("input", function () { if (source) { source.value = "typed"; } });

    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-locating");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        input.value = c.latitude.toFixed(5) + ", " + c.longitude.toFixed(5);
        if (source) { source.value = "device"; }
        if (radius) {
          var choice = "";
          $all("option", radius).forEach(function (option) {
            var metres = parseInt(option.value, 10);
            if (!choice && metres && metres >= c.accuracy) { choice = option.value; }
          });
          radius.value = choice;
        }
        // The coordinates live in the "coordinates (optional)" box: open it, so they can be checked.
        var box = input.closest("details");
        if (box) { box.open = true; }
        status.textContent = button.getAttribute("data-found");
        button.disabled = false;
      }, function (error) {
        status.textContent = button.getAttribute(error.code === 1 ? "data-denied" : "data-failed");
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
    });
  }

  /* -- Photos: say before sending what the server would refuse ------------------------------- */
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];

  function checkPhotos(input) {
    var message = document.getElementById(input.id + "-check");
    if (!message) { return true; }
    var max = parseInt(input.getAttribute("data-max-photos"), 10) || 5;
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var problems = [];
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > max) { problems.push(input.getAttribute("data-too-many")); }
    files.forEach(function (file) {
      if (file.type && PHOTO_TYPES.indexOf(file.type) === -1) {
        problems.push(input.getAttribute("data-wrong-type").replace("{name}", file.name));
      } else if (maxBytes && file.size > maxBytes) {
        problems.push(input.getAttribute("data-too-big").replace("{name}", file.name));
      }
    });
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && id !== message.id;
    });
    if (problems.length) {
      message.textContent = problems.join(" ");
      message.hidden = false;
      described.push(message.id);
      input.setAttribute("aria-invalid", "true");
    } else {
      message.textContent = "";
      message.hidden = true;
      input.removeAttribute("aria-invalid");
    }
    if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
    return problems.length === 0;
  }

  function setupSubmit(form) {
    var photoInputs = $all("input[type=file]", form);
    photoInputs.forEach(function (input) {
      input.addEventListener("change", function () { checkPhotos(input); });
    });
    var sending = false;
    var labels = [];
    // Coming back to this page (the Back button) must let it be sent again.
    window.addEventListener("pageshow", function () {
      sending = false;
      labels.forEach(function (saved) {
        saved.button.textContent = saved.text;
        saved.button.removeAttribute("aria-busy");
      });
    });
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var isStep = submitter && submitter.value === "place";
      if (!isStep) {
        var ok = photoInputs.every(checkPhotos);
        if (!ok) {
          event.preventDefault();
          photoInputs[0].focus();
          return;
        }
      }
      // One tap sends once. The button is not disabled, so its name and value are still sent.
      if (sending) { event.preventDefault(); return; }
      sending = true;
      if (submitter && !isStep && form.getAttribute("data-sending")) {
        labels.push({ button: submitter, text: submitter.textContent });
        submitter.textContent = form.getAttribute("data-sending");
        submitter.setAttribute("aria-busy", "true");
      }
    });
    // Enter in a one-line field moves on instead of sending a half-finished report.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || !target || target.tagName !== "INPUT") { return; }
      if (["text", "tel", "email", "number", "search"].indexOf(target.type) === -1) { return; }
      event.preventDefault();
      var fields = $all("input:not([type=hidden]):not([tabindex='-1']), select, textarea, button", form)
        .filter(function (el) { return el.offsetParent !== null && !el.disabled; });
      var next = fields[fields.indexOf(target) + 1];
      if (next) { next.focus(); }
    });
  }

  /* -- Receipt: copy and print ---------------------------------------------------------------- */
  function setupReceipt() {
    var actions = $("#receipt-actions");
    var code = $("#receipt-code");
    if (!actions || !code) { return; }
    var status = $("#copy-status");
    actions.hidden = false;

    function selectCode() {
      var range = document.createRange();
      range.selectNodeContents(code);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }

    $("#copy-receipt").addEventListener("click", function () {
      var text = code.textContent.trim();
      function done() { status.textContent = actions.getAttribute("data-copied"); }
      function failed() { selectCode(); status.textContent = actions.getAttribute("data-copy-failed"); }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, failed);
      } else {
        selectCode();
        try { if (document.execCommand("copy")) { done(); } else { failed(); } } catch (e) { failed(); }
      }
    });
    $("#print-receipt").addEventListener("click", function () { window.print(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    // form.photo-form has its own script (photo-upload.js).
    $all("form.tip-form:not(.photo-form)").forEach(function (form) {
      setupPlaces(form);
      setupLocation(form);
      setupSubmit(form);
    });
    setupReceipt();
  });
}());
