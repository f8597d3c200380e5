// LTI in a learning platform's frame.
//
// Deep-linking return: post the signed response back to the platform at once
// (the button stays for browsers without JavaScript).
//
// Platform storage (1EdTech "OIDC Login with LTI Client Side postMessages"):
// where the frame gets no cookies, the login keeps the state in the
// platform's storage (lti.put_data) and the launch reads it back
// (lti.get_data) before the launch is sent on with the state confirmed.
(function () {
  "use strict";

  function storageFrame(target) {
    var host = window.opener || window.parent;
    if (target && target !== "_parent") {
      try {
        if (host.frames[target]) {
          return host.frames[target];
        }
      } catch (error) {
        // A frame of another origin: fall back to the host window.
      }
    }
    return host;
  }

  function ask(frame, origin, message, done) {
    var id = "cairn-" + Math.random().toString(36).slice(2);
    var finished = false;
    message.message_id = id;
    function finish(answer) {
      if (!finished) {
        finished = true;
        window.removeEventListener("message", listen);
        done(answer);
      }
    }
    function listen(event) {
      var data = event.data || {};
      if (event.origin === origin && data.message_id === id) {
        finish(data);
      }
    }
    window.addEventListener("message", listen);
    frame.postMessage(message, origin);
    window.setTimeout(function () { finish(null); }, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosubmit]");
    if (form) {
      form.submit();
    }
    // Dynamic Registration done: tell the platform to close its dialog.
    if (document.querySelector("[data-lti-registered]")) {
      (window.opener || window.parent).postMessage(
        { subject: "org.imsglobal.lti.close" }, "*"
      );
    }
    var put = document.querySelector("[data-lti-storage='put']");
    if (put) {
      ask(storageFrame(put.dataset.target), put.dataset.origin, {
        subject: "lti.put_data",
        key: "state_" + put.dataset.state,
        value: put.dataset.state
      }, function () {
        window.location.href = put.dataset.next;
      });
    }
    var get = document.querySelector("[data-lti-storage='get']");
    if (get) {
      ask(storageFrame(get.dataset.target), get.dataset.origin, {
        subject: "lti.get_data",
        key: "state_" + get.dataset.state
      }, function (answer) {
        if (answer && answer.value === get.dataset.state) {
          get.submit();
        } else {
          document.querySelector("[data-lti-storage-failed]").hidden = false;
        }
      });
    }
  });
})();
