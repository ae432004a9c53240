/*
 * goldwatch.js - the small layer that keeps the staff pages live. The
 * pages work without it (forms post and redirect); with it:
 *   - a WebSocket to /api/alerts/ws brings every event as it happens and
 *     resumes after a drop with ?after=<last event id>, so nothing is lost;
 *   - new alerts appear on the dashboard and the history, states change in
 *     place, counters move, the alert page's timeline grows;
 *   - a browser notification announces new critical alerts (once allowed);
 *   - acknowledging works in place with fetch.
 * Text from events is only ever set with textContent: rule names are data.
 */
(function () {
  'use strict';

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var canOperate = ['operator', 'admin'].indexOf(document.body.dataset.role) >= 0;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* Times as the pages print them ("26 Nov 2026 17:52"), in the shop's zone. */
  var timeFormat = (function () {
    var opts = { day: '2-digit', month: 'short', year: 'numeric', hour: '2-digit',
      minute: '2-digit', hourCycle: 'h23' };
    try {
      return new Intl.DateTimeFormat('en-GB', Object.assign({ timeZone: document.body.dataset.tz }, opts));
    } catch (e) {   /* a zone this browser does not know: its own */
      return new Intl.DateTimeFormat('en-GB', opts);
    }
  })();
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d)) return '';
    var p = {};
    timeFormat.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p.day + ' ' + p.month.slice(0, 3) + ' ' + p.year + ' ' + p.hour + ':' + p.minute;
  }

  /*
   * Words come with the events (value_text, threshold_text, text), written
   * by the server as its pages and mails write them: no copy lives here.
   */

  /* ---- confirmations (CSP: no inline handlers) ---- */
  $all('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (e) {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });

  /* ---- the rule form: show the fields the chosen condition uses ---- */
  var condition = $('#condition');
  function showConditionFields() {
    $all('[data-conditions]').forEach(function (f) {
      var wanted = f.dataset.conditions.split(' ').indexOf(condition.value) >= 0;
      var input = $('input', f);
      f.hidden = !wanted && !(input && input.getAttribute('aria-invalid') === 'true');
      if (input && !wanted) input.value = f.hidden ? '' : input.value;
    });
  }
  if (condition && $('#rule-form')) {
    condition.addEventListener('change', showConditionFields);
    showConditionFields();
  }
  var scope = $('#scope');
  function showScopeFields() {
    $all('[data-scope]').forEach(function (f) { f.hidden = f.dataset.scope !== scope.value; });
  }
  if (scope) {
    scope.addEventListener('change', showScopeFields);
    showScopeFields();
  }
  var cpKind = $('#cp-form') && $('#kind');
  function showKindFields() {
    $all('[data-kind]').forEach(function (f) { f.hidden = f.dataset.kind !== cpKind.value; });
  }
  if (cpKind) {
    cpKind.addEventListener('change', showKindFields);
    showKindFields();
  }

  /* ---- counters: re-read the summary after alert changes ---- */
  var counters = { firing: $('#count-firing'), acknowledged: $('#count-acknowledged'),
    critical: $('#count-critical'), resolved: $('#count-resolved') };
  var summaryTimer = null;
  function refreshCounters() {
    if (!counters.firing) return;
    clearTimeout(summaryTimer);
    summaryTimer = setTimeout(function () {
      fetch('/api/alerts/summary', { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          setCounter(counters.firing, s.firing);
          setCounter(counters.acknowledged, s.acknowledged);
          setCounter(counters.critical, s.by_severity.critical);
          setCounter(counters.resolved, s.resolved_24h);
        })
        .catch(function () {});
    }, 150);
  }
  function setCounter(node, n) {
    if (!node || node.textContent === String(n)) return;
    node.textContent = String(n);
    var card = node.parentNode;
    card.classList.remove('bump');
    void card.offsetWidth;
    card.classList.add('bump');
  }

  /* ---- alert rows (dashboard's open alerts, the history) ---- */
  function stateBadge(state) {
    return el('span', { 'class': 'state state-' + state, 'data-field': 'state' }, state);
  }

  function ackForm(a, back) {
    var f = el('form', { method: 'post', action: '/alerts/' + a.id + '/acknowledge',
      'class': 'ack-form inline' });
    f.appendChild(el('input', { type: 'hidden', name: '_csrf', value: csrf }));
    f.appendChild(el('input', { type: 'hidden', name: 'back', value: back }));
    f.appendChild(el('button', { type: 'submit', 'class': 'small' }, 'Acknowledge'));
    wireAck(f);
    return f;
  }

  function alertCells(ev, kind) {
    var a = ev.data;
    var tr = el('tr', { 'data-alert-id': a.id, 'class': 'fresh sev-row-' + a.severity });
    function td(child) { var c = el('td'); if (child) c.appendChild(child); tr.appendChild(c); return c; }
    var sev = el('span', { 'class': 'sev sev-' + a.severity }, a.severity);
    var link = el('a', { href: '/alerts/' + a.id }, a.rule_name);
    var valueCell = el('td');
    valueCell.appendChild(document.createTextNode(ev.value_text || ''));
    valueCell.appendChild(el('span', { 'class': 'sub' }, ev.threshold_text || ''));
    var time = el('time', { datetime: a.triggered_at }, when(a.triggered_at));
    if (kind === 'history') {
      td(time);
      td(sev);
      var c = td(link);
      c.appendChild(el('span', { 'class': 'sub' }, kpiName(a.kpi)));
      tr.appendChild(valueCell);
      td(stateBadge(a.state));
      td(null).setAttribute('data-field', 'acknowledged_by');
    } else {
      td(sev);
      var c2 = td(link);
      c2.appendChild(el('span', { 'class': 'sub' }, kpiName(a.kpi)));
      tr.appendChild(valueCell);
      td(time).className = 'hide-narrow';
      td(stateBadge(a.state));
      if (canOperate) td(a.state === 'firing' ? ackForm(a, '/') : null);
    }
    return tr;
  }

  /* KPI names: from the filter's options, or the key itself */
  var kpiInfo = {};
  $all('#f-kpi option, #kpi option').forEach(function (o) { if (o.value) kpiInfo[o.value] = { name: o.textContent }; });
  function kpiName(key) { return (kpiInfo[key] && kpiInfo[key].name) || key; }
  function loadKpis() {
    return fetch('/api/kpis', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (j) { j.items.forEach(function (k) { kpiInfo[k.key] = { name: k.name }; }); })
      .catch(function () {});
  }

  function updateRow(tr, a) {
    var badge = $('[data-field="state"]', tr);
    if (badge) badge.replaceWith(stateBadge(a.state));
    var by = $('[data-field="acknowledged_by"]', tr);
    if (by && a.acknowledged_by) by.textContent = a.acknowledged_by;
    if (a.state !== 'firing') {
      var f = $('.ack-form', tr);
      if (f) f.remove();
    }
  }

  function onAlertEvent(ev) {
    var a = ev.data;
    if (!a || !a.id) return;
    /* the dashboard's open alerts; goldwatch's own under "goldwatch itself" */
    var open = $('#open-alerts');
    if (open && (a.kind === 'system' || a.kpi === 'goldwatch_itself')) {
      var sys = $('#system-alerts');
      var srow = sys && $('tr[data-alert-id="' + a.id + '"]', sys);
      /* a new one: the page draws its section (rare, and it must be seen) */
      if (ev.type === 'alert.fired' && !srow) { location.reload(); return; }
      if (srow && a.state === 'resolved') {
        srow.remove();
        sys.hidden = $('tbody tr', sys) === null;
      } else if (srow) {
        updateRow(srow, a);
      }
    } else if (open) {
      var row = $('tr[data-alert-id="' + a.id + '"]', open);
      if (ev.type === 'alert.fired' && !row) {
        $('tbody', open).prepend(alertCells(ev, 'open'));
      } else if (row && a.state === 'resolved') {
        row.remove();
      } else if (row) {
        updateRow(row, a);
      }
      var any = $('tbody tr', open) !== null;
      open.hidden = !any;
      $('#open-empty').hidden = any;
    }
    /* the history (first page): new alerts that match the filters */
    var hist = $('#history');
    if (hist) {
      var hrow = $('tr[data-alert-id="' + a.id + '"]', hist);
      var f = hist.dataset;
      var matches = (!f.filterState || f.filterState === a.state) &&
        (!f.filterSeverity || f.filterSeverity === a.severity) &&
        (!f.filterKpi || f.filterKpi === a.kpi) &&
        (f.filterRule === '0' || String(a.rule_id) === f.filterRule);
      if (ev.type === 'alert.fired' && !hrow && f.live === '1' && matches) {
        $('tbody', hist).prepend(alertCells(ev, 'history'));
      } else if (hrow) {
        updateRow(hrow, a);
      }
    }
    /* the alert's own page */
    var detail = $('#alert-detail');
    if (detail && detail.dataset.alertId === String(a.id)) {
      var badge = $('#alert-state');
      badge.className = 'state state-' + a.state;
      badge.textContent = a.state;
      if (a.acknowledged_by) {
        var info = $('#ack-info');
        info.textContent = 'by ' + a.acknowledged_by + ', ' + when(a.acknowledged_at);
      }
      if (a.resolved_at) $('#resolved-info').textContent = when(a.resolved_at);
      $('#escalation-level').textContent = String(a.escalation_level);
      if (a.state !== 'firing' && $('#ack-form')) $('#ack-form').remove();
      var li = el('li', { 'class': 'ev-' + ev.type.split('.')[1] });
      li.appendChild(el('time', { datetime: ev.at }, when(ev.at)));
      li.appendChild(el('span', { 'class': 'what' }, ev.text));
      $('#timeline').appendChild(li);
    }
    refreshCounters();
    if (ev.type === 'alert.fired' && a.severity === 'critical') notify(a);
  }

  function onKpiSampled(ev) {
    var d = ev.data || {};
    $all('.kpi[data-kpi="' + (window.CSS && CSS.escape ? CSS.escape(d.kpi) : d.kpi) + '"]').forEach(function (card) {
      var v = $('[data-field="value"]', card);
      if (v) v.textContent = ev.value_text;
      var w = $('[data-field="when"]', card);
      if (w) { w.textContent = ''; w.appendChild(el('time', { datetime: d.at }, when(d.at))); }
      card.classList.remove('updated');
      void card.offsetWidth;
      card.classList.add('updated');
    });
  }

  var feed = $('#live-feed');
  function addToFeed(ev) {
    if (!feed || ev.type === 'kpi.sampled') return;
    var li = el('li', { 'class': 'feed-' + ev.type.split('.')[1] });
    li.appendChild(el('time', { datetime: ev.at }, when(ev.at)));
    li.appendChild(el('span', { 'class': 'what' }, ev.text));
    feed.prepend(li);
    while (feed.children.length > 30) feed.lastElementChild.remove();
    var empty = $('#feed-empty');
    if (empty) empty.hidden = true;
  }

  /* ---- browser notifications for new critical alerts ---- */
  var notifyButton = $('#notify-button');
  if (notifyButton && 'Notification' in window && Notification.permission === 'default') {
    notifyButton.hidden = false;
    notifyButton.addEventListener('click', function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }
  function notify(a) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      var n = new Notification('Critical: ' + a.rule_name, { body: a.message, tag: 'goldwatch-' + a.id });
      n.onclick = function () { window.focus(); location.href = '/alerts/' + a.id; };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  /* ---- acknowledge in place ---- */
  function wireAck(form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var id = Number(form.action.split('/alerts/')[1].split('/')[0]);
      var note = form.elements.note ? form.elements.note.value : '';
      var button = $('button', form);
      button.disabled = true;
      fetch('/api/alerts/acknowledge', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(note ? { alert_ids: [id], note: note } : { alert_ids: [id] })
      }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      }).then(function () {
        /* the alert.acknowledged event updates the page; keep the form out of the way */
        form.remove();
      }).catch(function () {
        button.disabled = false;
        form.submit(); /* fall back to the plain form post */
      });
    });
  }
  $all('form.ack-form').forEach(wireAck);

  /* ---- the live connection ---- */
  var status = $('#live-status');
  var lastId = Number(document.body.dataset.lastEvent || 0);
  var retry = 1000;
  function setStatus(text, on) {
    if (!status) return;
    status.textContent = text;
    status.className = 'live ' + (on ? 'live-on' : 'live-off');
  }
  function handle(ev) {
    if (typeof ev.id !== 'number' || ev.id <= lastId) return; /* replayed already */
    lastId = ev.id;
    if (ev.type.indexOf('alert.') === 0) onAlertEvent(ev);
    else if (ev.type === 'kpi.sampled') onKpiSampled(ev);
    addToFeed(ev);
  }
  function connect() {
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var url = proto + '//' + location.host + '/api/alerts/ws' + (lastId ? '?after=' + lastId : '');
    var ws;
    try { ws = new WebSocket(url); } catch (e) { return schedule(); }
    ws.onopen = function () { retry = 1000; setStatus('live', true); };
    ws.onmessage = function (m) {
      try { handle(JSON.parse(m.data)); } catch (e) { /* not an event */ }
    };
    ws.onclose = function () { setStatus('reconnecting…', false); schedule(); };
  }
  function schedule() {
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  }
  if (status && 'WebSocket' in window) {
    setStatus('connecting…', false);
    loadKpis().then(connect);
  }
})();

/* -- forms and rules list -- */
/*
 * After a refused submit, the keyboard and a screen reader start at the
 * first message: the field it describes takes the focus (the rule form's
 * error summary takes it itself, rule_preview.js). Nothing when the page
 * was not a refused form.
 */
(function () {
  'use strict';
  if (document.getElementById('form-errors')) return;
  var messages = document.querySelectorAll('form .field-error');
  for (var i = 0; i < messages.length; i++) {
    if (!messages[i].textContent.trim()) continue;
    var field = document.querySelector('[aria-describedby~="' + messages[i].id + '"]');
    if (field && !field.disabled && typeof field.focus === 'function') field.focus();
    return;
  }
})();
