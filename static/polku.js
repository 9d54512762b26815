/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  // Move focus to the error summary so screen reader and keyboard users start from the problems;
  // after an action that succeeded, to the notice saying so (read out, and the next Tab goes on
  // from there, not from the top of the page).
  var summary = document.querySelector("[data-autofocus]") || document.querySelector("[data-announce]");
  if (summary) { summary.focus(); }

  // A wide table's region is a tab stop so that a keyboard can scroll it; one that fits needs none
  // (four extra stops on a professional's desktop). Looked at again when the width changes.
  function tableStops() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-wrap[role=region]"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) { wrap.setAttribute("tabindex", "0"); }
      else { wrap.removeAttribute("tabindex"); }
    });
  }
  tableStops();
  window.addEventListener("resize", tableStops);

  // A link of the error summary: focus the field, with its label or question in view above it
  // (the browser's own jump puts the field at the top edge, its label and error out of sight).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    var group = field.closest("fieldset");
    var label = group ? group.querySelector("legend") : document.querySelector("label[for='" + field.id + "']");
    event.preventDefault();
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  // A second press while the form is already on its way (a double tap on a slow phone) is not
  // sent again: a note or a message would be saved twice. After a few seconds with no answer the
  // button works again. The server still refuses what may happen only once (a booking, a signature).
  document.addEventListener("submit", function (event) {
    var sending = event.target;
    if (event.defaultPrevented) { return; }
    if (Date.now() - Number(sending.getAttribute("data-sent-at") || 0) < 5000) {
      event.preventDefault();
      return;
    }
    sending.setAttribute("data-sent-at", String(Date.now()));
    // Meanwhile its buttons look busy (polku.css): a slow phone shows nothing else for seconds.
    setTimeout(function () { sending.removeAttribute("data-sent-at"); }, 5000);
  });
  // Back to a page kept by the browser: its forms can be sent again at once.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent-at]"), function (sent) {
      sent.removeAttribute("data-sent-at");
    });
  });

  // A public form (no one signed in need be its owner) keeps what was typed over the language switch
  // in this browser tab only, and gets it back on the same page in the other language.
  var browserKept = document.querySelector("form[data-keep-typed=browser]");
  var keptKey = "polku-kept:" + window.location.pathname;
  if (browserKept && window.sessionStorage && window.FormData) {
    var typedHere = formFields(browserKept);
    var back = window.sessionStorage.getItem(keptKey);
    if (back) {
      window.sessionStorage.removeItem(keptKey);
      fillIn(browserKept, JSON.parse(back));
      typedHere = formFields(browserKept);
      var told = document.querySelector("[data-kept-in-browser]");
      if (told) { told.hidden = false; told.focus(); }
    }
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[hreflang]");
      var now = link && formFields(browserKept);
      if (!now || JSON.stringify(now) === JSON.stringify(typedHere)) { return; }
      window.sessionStorage.setItem(keptKey, JSON.stringify(now));
    });
  }

  function formFields(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { fields.push([name, value]); }
    });
    return fields;
  }

  function fillIn(form, fields) {
    fields.forEach(function (pair) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== pair[0]) { return; }
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.value === pair[1]) { field.checked = true; }
        } else if (field.type !== "hidden") {
          field.value = pair[1];
        }
      });
    });
  }

  // Session timeout warning (WCAG 2.2.1): warn before the idle limit and let the person continue.
  var notice = document.querySelector("[data-session-deadline]");
  var dialog = document.getElementById("session-dialog");
  if (!notice || !dialog || !window.fetch) { return; }
  var form = notice.querySelector("form");
  var token = form.querySelector("input[name=csrf_token]").value;
  var warning = parseInt(notice.getAttribute("data-session-warning"), 10) * 1000;
  var warnTimer, endTimer, returnFocus;
  // A form whose typing must outlive the session: at the time limit, when something was typed, it
  // is sent to be kept (never acted on) instead of leaving the page; the person gets it back on
  // this page after signing in again.
  var keptForms = Array.prototype.slice.call(
    document.querySelectorAll("form[data-keep-typed]:not([data-keep-typed=browser])")
  );
  // A form carrying what was typed on the page before (a check before sending) counts as typed.
  var typedAtStart = keptForms.map(function (form) {
    return form.getAttribute("data-keep-typed") === "carried" ? "" : formText(form);
  });

  function formText(form) {
    return window.FormData && window.URLSearchParams ? new URLSearchParams(new FormData(form)).toString() : "";
  }

  function changedForm() {
    return keptForms.filter(function (form, i) { return formText(form) !== typedAtStart[i]; })[0];
  }

  // Send the form to be kept and handed back on this page, never acted on.
  function sendToKeep(typed, fields) {
    fields.return_to = window.location.pathname + window.location.search;
    Object.keys(fields).forEach(function (name) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = fields[name];
      typed.appendChild(field);
    });
    // setAttribute: a field named "action" would hide the form's own action property.
    typed.setAttribute("action", "/session/keep");
    typed.submit();
  }

  function timedOut() {
    var typed = changedForm();
    if (typed) {
      sendToKeep(typed, {});
      return;
    }
    window.location.href = "/sign-in?reason=idle";
  }

  // The language switch with something typed: the form goes along and comes back on this page in
  // the other language (nothing saved), instead of being left behind.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[hreflang]");
    var typed = link && changedForm();
    if (!typed) { return; }
    event.preventDefault();
    sendToKeep(typed, { language: link.getAttribute("hreflang") });
  });

  function schedule(seconds) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    var remaining = seconds * 1000;
    warnTimer = setTimeout(show, Math.max(0, remaining - warning));
    endTimer = setTimeout(timedOut, remaining);
  }

  function show() {
    returnFocus = document.activeElement;
    dialog.hidden = false;
    dialog.querySelector("[data-session-extend]").focus();
  }

  function extend(then) {
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.status === 204) {
        dialog.hidden = true;
        if (returnFocus && returnFocus.focus) { returnFocus.focus(); }
        schedule(parseInt(notice.getAttribute("data-session-idle"), 10));
        if (then) { then(); }
      } else {
        timedOut();
      }
    });
  }

  // The footer's button continues the session here too, without leaving the page: sent as a form,
  // it reloaded the page and what was typed in it was lost.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    returnFocus = null;
    extend(function () { form.querySelector("[data-session-extended]").hidden = false; });
  });

  dialog.querySelector("[data-session-extend]").addEventListener("click", function () { extend(); });
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Tab") { event.preventDefault(); }
    if (event.key === "Escape") { extend(); }
  });
  schedule(parseInt(notice.getAttribute("data-session-deadline"), 10));
})();
