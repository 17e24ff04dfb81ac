/* Photos after the report (progressive enhancement of form#photo-form).
 *
 * Without this script the form sends one photo per press. With it, several photos can be chosen;
 * each is shrunk on the phone (at most 1600 px, JPEG) and sent on its own, one after another, with
 * its progress shown. A photo that fails costs nothing else: the report is already stored, and the
 * photos sent before it stay. The server still re-encodes every photo and strips what it carries.
 */
(function () {
  "use strict";

  var TYPES = ["image/jpeg", "image/png", "image/webp"];
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;
  var KHMER_DIGITS = "០១២៣៤៥៦៧៨៩";

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function digits(text) {
    if (document.documentElement.lang !== "km") { return String(text); }
    return String(text).replace(/[0-9]/g, function (d) { return KHMER_DIGITS.charAt(+d); });
  }

  /* A JPEG at most MAX_SIDE px on its longer side; the file itself when it is small already, when
     its location must be kept (drawing drops it), or when the browser cannot draw it. */
  function shrink(file, keepLocation, maxBytes) {
    if (keepLocation && file.size <= maxBytes) { return Promise.resolve(file); }
    if (!window.createImageBitmap || !window.HTMLCanvasElement || !HTMLCanvasElement.prototype.toBlob) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg" && file.size <= 1500000) {
        if (bitmap.close) { bitmap.close(); }
        return file;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) { bitmap.close(); }
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function send(form, blob, name, onProgress) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", form.elements.csrf_token ? form.elements.csrf_token.value : "");
      data.append("followup", form.elements.followup.value);
      var useLocation = form.elements.use_photo_location;
      if (useLocation && useLocation.checked) { data.append("use_photo_location", "y"); }
      data.append("photo", blob, name);
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.upload.onprogress = function (event) {
        if (event.lengthComputable) { onProgress(Math.round(100 * event.loaded / event.total)); }
      };
      request.onload = function () { resolve({ status: request.status, html: request.responseText }); };
      request.onerror = request.ontimeout = request.onabort = function () { resolve({ status: 0, html: "" }); };
      request.send(data);
    });
  }

  function answer(html) {
    return new DOMParser().parseFromString(html || "", "text/html");
  }

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("#photo-progress");
    var check = form.querySelector("#photo-check");
    var button = form.querySelector("button[type=submit]");
    if (!input || !list || !window.FormData || !window.Promise) { return; }
    input.multiple = true;
    form.setAttribute("data-enhanced", "true");  // several photos, shrunk here, sent one by one
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var busy = false;

    function say(problem) {
      check.textContent = problem || "";
      check.hidden = !problem;
      if (problem) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }

    function item(name) {
      var li = document.createElement("li");
      li.textContent = fill(form.getAttribute("data-sending"), { name: name, percent: digits(0) + "%" });
      list.hidden = false;
      list.appendChild(li);
      return li;
    }

    function sendOne(file) {
      var li = item(file.name);
      var keep = !!(form.elements.use_photo_location && form.elements.use_photo_location.checked);
      return shrink(file, keep, maxBytes).then(function (blob) {
        if (maxBytes && blob.size > maxBytes) {
          li.textContent = fill(form.getAttribute("data-too-big"), { name: file.name });
          li.className = "field-error";
          return false;
        }
        var name = blob === file ? file.name : file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return send(form, blob, name, function (percent) {
          li.textContent = fill(form.getAttribute("data-sending"), { name: file.name, percent: digits(percent) + "%" });
        }).then(function (result) {
          var page = answer(result.html);
          if (result.status === 201) {
            li.textContent = fill(form.getAttribute("data-sent"), { name: file.name });
            li.className = "photo-sent";
            var count = page.getElementById("photo-count");
            var mine = document.getElementById("photo-count");
            if (count && mine) { mine.textContent = count.textContent; }
            var next = page.getElementById("photo-form");
            form.setAttribute("data-remaining", next ? next.getAttribute("data-remaining") : "0");
            return true;
          }
          var reason = page.querySelector("#photo-form .field-error:not([hidden])") || page.querySelector("#photo-notice");
          li.textContent = fill(form.getAttribute("data-failed"), { name: file.name }) +
            (reason && result.status !== 0 ? " " + reason.textContent.trim() : "");
          li.className = "field-error";
          return false;
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      var files = Array.prototype.slice.call(input.files || []);
      var remaining = parseInt(form.getAttribute("data-remaining"), 10) || 0;
      if (!files.length) { form.submit(); return; }  // the server says what is missing
      if (files.length > remaining) { say(fill(form.getAttribute("data-too-many"), { count: digits(remaining) })); return; }
      var wrong = files.filter(function (file) { return file.type && TYPES.indexOf(file.type) === -1; })[0];
      if (wrong) { say(fill(form.getAttribute("data-wrong-type"), { name: wrong.name })); return; }
      say("");
      busy = true;
      button.setAttribute("aria-busy", "true");
      files.reduce(function (chain, file) {
        return chain.then(function () { return sendOne(file); });
      }, Promise.resolve()).then(function () {
        busy = false;
        button.removeAttribute("aria-busy");
        input.value = "";
        if ((parseInt(form.getAttribute("data-remaining"), 10) || 0) <= 0) {
          input.disabled = true;
          button.disabled = true;
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("photo-form");
    if (form) { setup(form); }
  });
}());
