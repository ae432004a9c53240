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

  /* ---- counters and "Last evaluation": re-read the summary ---- */
  var counters = { firing: $('#count-firing'), acknowledged: $('#count-acknowledged'),
    critical: $('#count-critical'), resolved: $('#count-resolved') };
  var lastEval = $('#last-eval');
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
          setCounter(counters.critical, s.critical_firing);
          setCounter(counters.resolved, s.resolved_24h);
          if (lastEval && s.last_evaluation_at &&
              ($('time', lastEval) || {}).dateTime !== s.last_evaluation_at) {
            lastEval.textContent = '';
            lastEval.appendChild(el('time', { datetime: s.last_evaluation_at }, when(s.last_evaluation_at)));
          }
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
    return el('span', { 'class': 'state state-' + state, 'data-field': 'state', tabindex: '-1' }, state);
  }

  /* the button's name says which alert: "Acknowledge Till over 5,000" */
  function ackForm(a, back) {
    var f = el('form', { method: 'post', action: '/alerts/' + a.id + '/acknowledge',
      'class': 'ack-form inline' });
    f.appendChild(el('input', { type: 'hidden', name: '_csrf', value: csrf }));
    f.appendChild(el('input', { type: 'hidden', name: 'back', value: back }));
    var b = el('button', { type: 'submit', 'class': 'small' }, 'Acknowledge');
    b.appendChild(el('span', { 'class': 'sr-only' }, ' ' + a.rule_name));
    f.appendChild(b);
    wireAck(f);
    return f;
  }

  function pick(a) {
    var c = el('input', { type: 'checkbox', form: 'bulk-ack', name: 'ack_' + a.id, value: '1',
      id: 'pick-' + a.id, 'aria-label': 'Select ' + a.rule_name });
    c.addEventListener('change', syncSelectAll);
    return c;
  }

  /* A row as the server draws it (templates/dashboard and alerts). */
  function alertCells(ev, kind) {
    var a = ev.data;
    var tr = el('tr', { 'data-alert-id': a.id, 'data-severity': a.severity, 'class': 'fresh sev-row-' + a.severity });
    function td(label, child) {
      var c = el('td', label ? { 'data-label': label } : {});
      if (child) c.appendChild(child);
      tr.appendChild(c);
      return c;
    }
    if (canOperate) td(null, a.state === 'firing' && $('#bulk-ack') ? pick(a) : null).className = 'pick';
    var main = td(null, el('a', { href: '/alerts/' + a.id }, a.rule_name));
    main.className = 'main';
    main.appendChild(el('span', { 'class': 'sub' }, kpiName(a.kpi)));
    var time = el('time', { datetime: a.triggered_at }, when(a.triggered_at));
    if (kind === 'history') td('Triggered', time);
    td('Severity', el('span', { 'class': 'sev sev-' + a.severity }, a.severity));
    var value = td('Value');
    value.appendChild(document.createTextNode(ev.value_text || ''));
    value.appendChild(el('span', { 'class': 'sub' }, ev.threshold_text || ''));
    if (kind !== 'history') td('Since', time).className = 'hide-narrow';
    var state = td('State', stateBadge(a.state));
    var note = el('span', { 'class': 'sub note', 'data-field': 'note' }, a.ack_note || '');
    if (kind === 'history') {
      if (a.silenced) { state.appendChild(document.createTextNode(' ')); state.appendChild(el('span', { 'class': 'tag' }, 'silenced')); }
      var by = td('Acknowledged by', el('span', { 'data-field': 'acknowledged_by' }, a.acknowledged_by || ''));
      by.appendChild(note);
    } else {
      state.appendChild(note);
      if (canOperate) td(null, a.state === 'firing' ? ackForm(a, '/') : null).className = 'act';
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
    var focused = badge && document.activeElement === badge;
    if (badge) {
      var nb = stateBadge(a.state);
      badge.replaceWith(nb);
      if (focused) nb.focus();
    }
    var by = $('[data-field="acknowledged_by"]', tr);
    if (by && a.acknowledged_by) by.textContent = a.acknowledged_by;
    var note = $('[data-field="note"]', tr);
    if (note) note.textContent = a.ack_note || '';
    if (a.state !== 'firing') {
      var f = $('.ack-form', tr);
      if (f) removeAckForm(f);
      var c = $('.pick input', tr);
      if (c) c.remove();
      syncSelectAll();
    }
  }

  /* severity order of the dashboard: critical, warning, info */
  var rank = { critical: 0, warning: 1, info: 2 };
  /* A new open alert goes last among those of its severity (oldest first
   * within one); one that sorts after this page's rows belongs to a later page. */
  function placeOpen(tbody, tr, severity) {
    var rows = $all('tr', tbody);
    for (var i = 0; i < rows.length; i++) {
      if (rank[rows[i].dataset.severity] > rank[severity]) { tbody.insertBefore(tr, rows[i]); return true; }
    }
    if ($('.pager a[rel="next"]')) return false;
    tbody.appendChild(tr);
    return true;
  }
  var openTotal = $('#open-total');
  function countOpen(delta) {
    if (openTotal) openTotal.textContent = String(Math.max(0, Number(openTotal.textContent) + delta));
  }

  function onSystemAlert(ev, a) {
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
  }

  function onOpenAlert(ev, a, open) {
    var row = $('tr[data-alert-id="' + a.id + '"]', open);
    if (ev.type === 'alert.fired' && !row) {
      countOpen(1);
      placeOpen($('tbody', open), alertCells(ev, 'open'), a.severity);
    } else if (a.state === 'resolved') {
      countOpen(-1);
      if (row) row.remove();
    } else if (row) {
      updateRow(row, a);
    }
    var any = $('tbody tr', open) !== null;
    open.hidden = !any;
    $('#open-empty').hidden = any;
  }

  /* the history (first page): new alerts that match the filters */
  function onHistoryAlert(ev, a, hist) {
    var hrow = $('tr[data-alert-id="' + a.id + '"]', hist);
    var f = hist.dataset;
    var matches = (!f.filterState || f.filterState === a.state) &&
      (!f.filterSeverity || f.filterSeverity === a.severity) &&
      (!f.filterKpi || f.filterKpi === a.kpi) &&
      (f.filterRule === '0' || String(a.rule_id) === f.filterRule);
    if (ev.type === 'alert.fired' && !hrow && f.live === '1' && matches) {
      $('tbody', hist).prepend(alertCells(ev, 'history'));
      var empty = $('#history-empty');
      if (empty) empty.hidden = true;
    } else if (hrow) {
      updateRow(hrow, a);
    }
  }

  /* the alert's own page: its state, acknowledgement, note and timeline */
  function onDetailAlert(ev, a) {
    var badge = $('#alert-state');
    badge.className = 'state state-' + a.state;
    badge.textContent = a.state;
    if (a.acknowledged_by) {
      $('#ack-info').textContent = 'by ' + a.acknowledged_by + ', ' + when(a.acknowledged_at);
    }
    if (a.ack_note) {
      $('#ack-note').textContent = a.ack_note;
      $('#ack-note').hidden = false;
      $('#ack-note-term').hidden = false;
    }
    if (a.resolved_at) $('#resolved-info').textContent = when(a.resolved_at);
    $('#escalation-level').textContent = String(a.escalation_level);
    if (a.state !== 'firing' && $('#ack-form')) removeAckForm($('#ack-form'));
    var li = el('li', { 'class': 'ev-' + ev.type.split('.')[1] });
    li.appendChild(el('time', { datetime: ev.at }, when(ev.at)));
    li.appendChild(el('span', { 'class': 'what' }, ev.text));
    if (ev.type === 'alert.acknowledged' && a.ack_note) {
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('q', { 'class': 'note' }, a.ack_note));
    }
    $('#timeline').appendChild(li);
  }

  function onAlertEvent(ev) {
    var a = ev.data;
    if (!a || !a.id) return;
    var open = $('#open-alerts');
    /* the dashboard's open alerts; goldwatch's own under "goldwatch itself" */
    if (open && (a.kind === 'system' || a.kpi === 'goldwatch_itself')) onSystemAlert(ev, a);
    else if (open) onOpenAlert(ev, a, open);
    var hist = $('#history');
    if (hist) onHistoryAlert(ev, a, hist);
    var detail = $('#alert-detail');
    if (detail && detail.dataset.alertId === String(a.id)) onDetailAlert(ev, a);
    refreshCounters();
    if (ev.type === 'alert.fired' && a.severity === 'critical' && !a.silenced) notify(a);
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
    /* a sample may have been evaluated: "Last evaluation" moves */
    refreshCounters();
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

  /* ---- browser notifications: one per burst of new critical alerts ---- */
  var notifyButton = $('#notify-button');
  if (notifyButton && 'Notification' in window && Notification.permission === 'default') {
    notifyButton.hidden = false;
    notifyButton.addEventListener('click', function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }
  /*
   * Alerts that arrive less than BURST_QUIET ms apart are one burst and
   * get one notification when it is over (at most BURST_MAX ms after its
   * first): one alert keeps its own words, more are counted.
   */
  var BURST_QUIET = 1500, BURST_MAX = 5000;
  var burst = [], burstStart = 0, burstTimer = null;
  function notify(a) {
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    if (!burst.length) burstStart = Date.now();
    burst.push(a);
    clearTimeout(burstTimer);
    burstTimer = setTimeout(notifyBurst,
      Math.max(0, Math.min(BURST_QUIET, burstStart + BURST_MAX - Date.now())));
  }
  function notifyBurst() {
    var list = burst;
    burst = [];
    if (!list.length) return;
    var one = list.length === 1 ? list[0] : null;
    try {
      var n = one ? new Notification('Critical: ' + one.rule_name, { body: one.message, tag: 'goldwatch-' + one.id })
        : new Notification(list.length + ' new critical alerts', {
          body: list.slice(0, 3).map(function (x) { return x.rule_name; }).join(', ') +
            (list.length > 3 ? ' and ' + (list.length - 3) + ' more' : ''),
          tag: 'goldwatch-burst' });
      n.onclick = function () {
        window.focus();
        location.href = one ? '/alerts/' + one.id : '/alerts?state=firing&severity=critical';
      };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  /* ---- acknowledge in place ---- */
  /* Where focus goes when a row's button goes: the next row's button, else the row's state. */
  function focusAfterAck(form) {
    var tr = form.closest('tr');
    if (!tr) return null;
    for (var n = tr.nextElementSibling; n; n = n.nextElementSibling) {
      var b = $('.ack-form button', n);
      if (b) return b;
    }
    return $('[data-field="state"]', tr);
  }
  /* The row's form goes (acknowledged here or elsewhere); the keyboard stays where it was. */
  function removeAckForm(form) {
    if (!form.isConnected) return;
    var had = form.contains(document.activeElement) || form.dataset.sending === '1';
    var next = had ? (focusAfterAck(form) || $('#alert-state')) : null;
    var tr = form.closest('tr');
    var c = tr && $('.pick input', tr);
    if (c) c.remove();
    form.remove();
    syncSelectAll();
    if (next) {
      if (!next.hasAttribute('tabindex') && next.tagName !== 'BUTTON') next.setAttribute('tabindex', '-1');
      next.focus();
    }
  }
  function wireAck(form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (form.dataset.sending === '1') return;
      var id = Number(form.action.split('/alerts/')[1].split('/')[0]);
      var note = form.elements.note ? form.elements.note.value : '';
      var button = $('button', form);
      /* not disabled: a disabled button loses the focus to the page */
      form.dataset.sending = '1';
      button.setAttribute('aria-disabled', 'true');
      fetch('/api/alerts/acknowledge', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify(note ? { alert_ids: [id], note: note } : { alert_ids: [id] })
      }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      }).then(function () {
        /* the alert.acknowledged event updates the rest of the page */
        removeAckForm(form);
      }).catch(function () {
        form.dataset.sending = '0';
        button.removeAttribute('aria-disabled');
        form.submit(); /* fall back to the plain form post */
      });
    });
  }
  $all('form.ack-form').forEach(wireAck);

  /* ---- bulk acknowledge: "Select all" ticks every firing row shown ---- */
  var selectAll = $('#select-all');
  function picks() { return $all('input[type=checkbox][form="bulk-ack"]'); }
  function syncSelectAll() {
    if (!selectAll) return;
    var all = picks(), on = all.filter(function (c) { return c.checked; });
    selectAll.checked = all.length > 0 && on.length === all.length;
    selectAll.indeterminate = on.length > 0 && on.length < all.length;
  }
  if (selectAll) {
    $('#select-all-label').hidden = false;
    selectAll.addEventListener('change', function () {
      picks().forEach(function (c) { c.checked = selectAll.checked; });
    });
    picks().forEach(function (c) { c.addEventListener('change', syncSelectAll); });
  }

  /* ---- the live connection ---- */
  var status = $('#live-status');
  var lastId = Number(document.body.dataset.lastEvent || 0);
  var retry = 1000;
  /* how long the feed may be away before the page says its figures may be old */
  var STALE_MS = 10000;
  var awaySince = null, staleTimer = null, banner = null;
  function setStatus(text, on) {
    if (!status) return;
    status.textContent = text;
    status.className = 'live ' + (on ? 'live-on' : 'live-off');
  }
  function showBanner(kind, build) {
    if (!banner) {
      banner = el('div', { id: 'live-banner' });
      var main = $('main') || document.body;
      main.insertBefore(banner, main.firstChild);
    }
    banner.className = 'live-banner live-banner-' + kind;
    banner.setAttribute('role', kind === 'ended' ? 'alert' : 'status');
    banner.textContent = '';
    build(banner);
  }
  function markStale(on) {
    var box = $('#counters');
    if (!box) return;
    box.classList.toggle('stale', on);
    $all('.counter .what', box).forEach(function (w) {
      var tag = $('.stale-tag', w);
      if (on && !tag) w.appendChild(el('span', { 'class': 'stale-tag' }, ' (stale)'));
      if (!on && tag) tag.remove();
    });
  }
  function clock(d) { return when(d.toISOString()).slice(-5); }
  function onAway() {
    if (awaySince) return;
    awaySince = new Date();
    staleTimer = setTimeout(function () {
      markStale(true);
      showBanner('away', function (b) {
        b.textContent = 'Live updates stopped at ' + clock(awaySince) +
          ' - the counts and lists below may be out of date. Reconnecting…';
      });
    }, STALE_MS);
  }
  function onBack() {
    clearTimeout(staleTimer);
    if (awaySince && banner) {
      banner.remove();
      banner = null;
      markStale(false);
      /* what changed meanwhile came with the replay; the counters are read again */
      refreshCounters();
    }
    awaySince = null;
  }
  /* the pusher closes with 4001 when the session ended or was revoked */
  function onSessionEnded() {
    clearTimeout(staleTimer);
    setStatus('signed out', false);
    markStale(true);
    showBanner('ended', function (b) {
      b.appendChild(document.createTextNode('Your session has ended. '));
      b.appendChild(el('a', { href: '/login?next=' + encodeURIComponent(location.pathname + location.search) },
        'Sign in again'));
      b.appendChild(document.createTextNode(' to see live updates and to act on alerts.'));
    });
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
    try { ws = new WebSocket(url); } catch (e) { onAway(); return schedule(); }
    ws.onopen = function () { retry = 1000; setStatus('live', true); onBack(); };
    ws.onmessage = function (m) {
      try { handle(JSON.parse(m.data)); } catch (e) { /* not an event */ }
    };
    ws.onclose = function (e) {
      if (e.code === 4001) return onSessionEnded();
      setStatus('reconnecting…', false);
      onAway();
      schedule();
    };
  }
  function schedule() {
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 30000);
  }
  if (status && 'WebSocket' in window) {
    setStatus('connecting…', false);
    loadKpis().then(connect);
    /* an evaluation that changed nothing sends no event: look now and then */
    if (lastEval) setInterval(refreshCounters, 30000);
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
