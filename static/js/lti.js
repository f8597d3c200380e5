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

  function host() {
    return window.opener || window.parent;
  }

  function storageFrame(target) {
    if (target && target !== "_parent") {
      try {
        if (host().frames[target]) {
          return host().frames[target];
        }
      } catch (error) {
        // Not reachable by name: fall back to the host window.
      }
    }
    return host();
  }

  // Send `message` to `frame` and wait for its answer: the same message id,
  // the matching ".response" subject, from that window and (where given)
  // that origin only; null after three seconds.
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
      var data = event.data;
      if (
        data && typeof data === "object" &&
        data.message_id === id &&
        data.subject === message.subject + ".response" &&
        event.source === frame &&
        (origin === "*" || event.origin === origin)
      ) {
        finish(data.error ? null : data);
      }
    }
    window.addEventListener("message", listen);
    frame.postMessage(message, origin);
    window.setTimeout(function () { finish(null); }, 3000);
  }

  // Which frame answers `subject`, from the platform's lti.capabilities
  // (sent to any origin: it asks nothing secret); null if it is not offered.
  function capableFrame(target, subject, done) {
    ask(host(), "*", { subject: "lti.capabilities" }, function (answer) {
      var offered = (answer && answer.supported_messages) || [];
      for (var i = 0; i < offered.length; i += 1) {
        if (offered[i] && offered[i].subject === subject) {
          done(storageFrame(offered[i].frame || target));
          return;
        }
      }
      done(null);
    });
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
      capableFrame(put.dataset.target, "lti.put_data", function (frame) {
        if (!frame) {
          window.location.href = put.dataset.next;
          return;
        }
        ask(frame, put.dataset.origin, {
          subject: "lti.put_data",
          key: "state_" + put.dataset.state,
          value: put.dataset.state
        }, function () {
          window.location.href = put.dataset.next;
        });
      });
    }
    var get = document.querySelector("[data-lti-storage='get']");
    if (get) {
      ask(storageFrame(get.dataset.target), get.dataset.origin, {
        subject: "lti.get_data",
        key: "state_" + get.dataset.state
      }, function (answer) {
        if (
          answer &&
          answer.key === "state_" + get.dataset.state &&
          answer.value === get.dataset.state
        ) {
          get.submit();
        } else {
          document.querySelector("[data-lti-storage-failed]").hidden = false;
        }
      });
    }
  });
})();
