/* Small behaviours of the web shell that need JavaScript: the neighbourhood verification
   button (the browser's position is posted to the server, which decides). */
(function () {
  "use strict";

  function initVerify() {
    var form = document.getElementById("verify-form");
    var button = document.getElementById("verify-button");
    var feedback = document.getElementById("verify-feedback");
    if (!form || !button || !feedback) return;
    function say(message, isError) {
      feedback.textContent = message;
      feedback.classList.toggle("error", !!isError);
    }
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        say(form.dataset.unsupported, true);
        return;
      }
      button.disabled = true;
      say(form.dataset.locating, false);
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.elements.lat.value = position.coords.latitude.toFixed(6);
          form.elements.lng.value = position.coords.longitude.toFixed(6);
          form.submit();
        },
        function (error) {
          button.disabled = false;
          say(error.code === 1 ? form.dataset.denied : form.dataset.failed, true);
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
      );
    });
  }

  // Forms whose button says data-once are sent once: a second tap waits (the server also
  // treats a repeat of the same checkout as the same order, by its idempotency key).
  function initOnce() {
    document.addEventListener("submit", function (event) {
      var button = event.target.querySelector("[data-once]");
      if (!button) return;
      if (button.dataset.sent) {
        event.preventDefault();
        return;
      }
      button.dataset.sent = "1";
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", initVerify);
  document.addEventListener("DOMContentLoaded", initOnce);
})();
