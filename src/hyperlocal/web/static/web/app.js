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

  document.addEventListener("DOMContentLoaded", initVerify);
})();
