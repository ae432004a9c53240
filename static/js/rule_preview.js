/*
 * rule_preview.js - keeps the rule form's preview, and the words and unit
 * around its threshold, up to date as the form changes. Without it the "Preview" button does the same by a submit. A
 * change waits 400 ms for the next one, then the form is posted as the
 * button would post it (_action=preview: the server maps the form to a
 * rule body, replays it over the stored samples and saves nothing) and
 * the answer's preview result (its chart, sentence and table, rendered
 * and escaped by the server) replaces this page's, and so do the
 * threshold's words and unit (one place decides them: the server). An
 * answer to an older change than the latest is dropped. After a refused
 * submit the error summary takes the focus, and its links take it on to
 * their fields.
 */
(function () {
  'use strict';

  var form = document.getElementById('rule-form');
  var result = document.getElementById('preview-result');
  if (!form || !result) return;
  var summary = document.getElementById('form-errors');
  if (summary) {
    summary.focus();
    summary.addEventListener('click', function (ev) {
      var a = ev.target.closest('a[href^="#"]');
      var field = a && document.getElementById(a.getAttribute('href').slice(1));
      if (!field) return;
      ev.preventDefault();
      (field.matches('input, select, textarea') ? field : field.querySelector('input') || field).focus();
    });
  }
  var fields = form.querySelector('fieldset');
  if (fields && fields.disabled) return;   /* read only: nothing changes */

  var timer = null;
  var latest = 0;

  function refresh() {
    var seq = ++latest;
    var body = new URLSearchParams(new FormData(form));
    body.set('_action', 'preview');
    form.setAttribute('aria-busy', 'true');
    fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: body.toString()
    }).then(function (res) {
      if (res.status !== 200 && res.status !== 422) throw new Error('status ' + res.status);
      return res.text();
    }).then(function (html) {
      if (seq !== latest) return;
      var doc = new DOMParser().parseFromString(html, 'text/html');
      ['threshold-words', 'threshold-unit'].forEach(function (id) {
        var mine = document.getElementById(id), theirs = doc.getElementById(id);
        if (mine && theirs) mine.textContent = theirs.textContent;
      });
      var fresh = doc.getElementById('preview-result');
      if (!fresh) return;
      result.replaceChildren.apply(result, Array.prototype.map.call(fresh.childNodes,
        function (n) { return document.importNode(n, true); }));
    }).catch(function () {
      /* the button still works; the preview shown stays until then */
    }).then(function () {
      if (seq === latest) form.removeAttribute('aria-busy');
    });
  }

  function changed(ev) {
    if (ev.target && ev.target.name === '_csrf') return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  }

  form.addEventListener('input', changed);
  form.addEventListener('change', changed);
}());
