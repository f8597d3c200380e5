// LTI deep-linking return: post the signed response back to the platform at
// once (the button stays for browsers without JavaScript).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.submit();
  }
});
