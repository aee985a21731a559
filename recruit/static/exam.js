// Merit exam page: every change saves at once with a sequence number; saves not yet acknowledged are kept
// in localStorage and replayed on reconnect; the countdown follows the server's remaining time.
(function () {
  "use strict";
  var exam = document.getElementById("exam");
  if (!exam) { return; }
  var attempt = exam.dataset.attempt;
  var slot = exam.dataset.slot ? parseInt(exam.dataset.slot, 10) : null;
  var csrf = exam.dataset.csrf;
  var status = document.getElementById("save-status");
  var clock = document.getElementById("countdown");
  var queueKey = "merit:" + attempt + ":queue";
  var seqKey = "merit:" + attempt + ":seq";
  var flagKey = "merit:" + attempt + ":flags";
  var stopped = false;
  var retryDelay = 1000;
  var warned = {};
  var offlineSince = null;

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function say(kind) { status.textContent = status.dataset[kind]; status.dataset.state = kind; }

  // Sequence numbers only grow, across reloads and devices' stored answers.
  var seq = Math.max(parseInt(exam.dataset.maxSeq || "0", 10), load(seqKey, 0));
  function nextSeq() { seq += 1; store(seqKey, seq); return seq; }

  // Countdown driven by the server's remaining seconds, re-synced on every acknowledged save.
  var remaining = parseInt(clock.dataset.remaining, 10);
  var syncedAt = Date.now();
  var paused = false;
  function secondsLeft() { return paused ? remaining : Math.max(0, remaining - Math.floor((Date.now() - syncedAt) / 1000)); }
  function resync(seconds) { remaining = seconds; syncedAt = Date.now(); }
  function tick() {
    var left = secondsLeft();
    var minutes = Math.floor(left / 60), seconds = left % 60;
    clock.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    if (left <= 600 && left > 60 && !warned.ten) { warned.ten = true; announce("warning10"); }
    if (left <= 60 && left > 0 && !warned.one) { warned.one = true; announce("warning1"); }
    if (left === 0 && !stopped) { finish(); }
  }
  function announce(kind) {
    var note = document.createElement("p");
    note.className = "time-warning"; note.setAttribute("role", "alert"); note.textContent = status.dataset[kind];
    exam.insertBefore(note, exam.firstChild);
  }

  function queue() { return load(queueKey, []); }
  function enqueue(entry) {
    var pending = queue().filter(function (e) { return e.slot !== entry.slot || e.seq > entry.seq; });
    pending.push(entry);
    store(queueKey, pending);
  }
  function acknowledge(entry) {
    store(queueKey, queue().filter(function (e) { return !(e.slot === entry.slot && e.seq === entry.seq); }));
  }

  var flushing = false;
  function flush() {
    if (flushing || stopped) { return; }
    var pending = queue();
    if (!pending.length) { say("saved"); return; }
    flushing = true;
    say("saving");
    var entry = pending[0];
    fetch("/exams/attempts/" + attempt + "/responses/" + entry.slot, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "x-csrftoken": csrf },
      body: JSON.stringify({ choice_ids: entry.choice_ids, seq: entry.seq })
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      flushing = false;
      if (answer.status === 200) {
        acknowledge(entry);
        paused = false;
        if (offlineSince !== null) { report("reconnected", Math.round((Date.now() - offlineSince) / 1000)); offlineSince = null; }
        resync(answer.body.remaining_seconds);
        retryDelay = 1000;
        markAnswered(entry.slot, entry.choice_ids.length > 0);
        flush();
      } else if (answer.status === 409) {
        var reason = answer.body.extra && answer.body.extra.reason;
        if (reason === "session_replaced") { stopped = true; say("replaced"); disable(); }
        else if (reason === "paused") { paused = true; say("paused"); setTimeout(flush, 5000); }
        else { stopped = true; window.location = exam.dataset.resultUrl; }
      } else if (answer.status === 422 || answer.status === 404) {
        acknowledge(entry);  // the server can never accept it: do not retry for ever
        flush();
      } else { retry(); }
    }).catch(function () { flushing = false; retry(); });
  }
  function retry() {
    say("offline");
    if (offlineSince === null) { offlineSince = Date.now(); }
    var jitter = Math.random() * 500;
    setTimeout(flush, retryDelay + jitter);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }
  function disable() {
    Array.prototype.forEach.call(exam.querySelectorAll("input, button"), function (el) { el.disabled = true; });
  }
  function markAnswered(number, answered) {
    var link = document.querySelector('.navigator a[data-slot="' + number + '"]');
    if (link) { link.classList.toggle("answered", answered); link.classList.toggle("unanswered", !answered); }
  }

  function finish() {
    stopped = true;
    var pending = queue();
    var send = pending.length ? Promise.all(pending.map(function (entry) {
      return fetch("/exams/attempts/" + attempt + "/responses/" + entry.slot, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "x-csrftoken": csrf },
        body: JSON.stringify({ choice_ids: entry.choice_ids, seq: entry.seq })
      }).catch(function () {});
    })) : Promise.resolve();
    send.then(function () {
      var form = new FormData();
      form.append("_csrf_token", csrf);
      return fetch(exam.dataset.submitUrl, { method: "POST", body: form, credentials: "same-origin" });
    }).then(function () { window.location = exam.dataset.resultUrl; }, function () { window.location = exam.dataset.resultUrl; });
  }

  // The question form: save on every change; replay this slot's unsent answer over the server's.
  var form = document.getElementById("question-form");
  if (form && slot) {
    var mine = queue().filter(function (e) { return e.slot === slot; }).pop();
    if (mine) {
      Array.prototype.forEach.call(form.querySelectorAll('input[name="choice"]'), function (input) {
        input.checked = mine.choice_ids.indexOf(input.value) !== -1;
      });
    }
    form.addEventListener("change", function () {
      var chosen = Array.prototype.map.call(form.querySelectorAll('input[name="choice"]:checked'), function (i) { return i.value; });
      enqueue({ slot: slot, choice_ids: chosen, seq: nextSeq() });
      flush();
    });
    form.addEventListener("submit", function (event) {
      // Answers are already saved by the change handler: just move on.
      event.preventDefault();
      var next = document.querySelector('.navigator a[data-slot="' + (slot + 1) + '"]');
      window.location = next ? next.href : "/exams/attempts/" + attempt + "/review";
    });
  }

  // Flags for review live on this device only.
  var flags = load(flagKey, []);
  function showFlags() {
    Array.prototype.forEach.call(document.querySelectorAll(".navigator a[data-slot]"), function (link) {
      link.classList.toggle("flagged", flags.indexOf(parseInt(link.dataset.slot, 10)) !== -1);
    });
    var list = document.getElementById("flagged-list");
    if (list) { list.hidden = !flags.length; list.querySelector("span").textContent = flags.sort(function (a, b) { return a - b; }).join(", "); }
  }
  var flagButton = document.getElementById("flag");
  if (flagButton && slot) {
    var isFlagged = function () { return flags.indexOf(slot) !== -1; };
    var paint = function () {
      flagButton.setAttribute("aria-pressed", isFlagged() ? "true" : "false");
      flagButton.textContent = isFlagged() ? flagButton.dataset.on : flagButton.dataset.off;
    };
    flagButton.addEventListener("click", function () {
      flags = isFlagged() ? flags.filter(function (s) { return s !== slot; }) : flags.concat([slot]);
      store(flagKey, flags); paint(); showFlags();
    });
    paint();
  }
  showFlags();

  // Keep the clock honest and the queue moving.
  setInterval(tick, 1000);
  tick();
  // The heartbeat: every 30 s (every 5 s while paused, so the clock restarts promptly on resume).
  function poll() {
    fetch(exam.dataset.stateUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (s) {
      if (s.replaced) { stopped = true; say("replaced"); disable(); return; }
      if (paused && !s.paused) { say("saved"); }
      paused = !!s.paused;
      if (paused) { say("paused"); }
      resync(s.remaining_seconds);
      if (s.state !== "in_progress") { stopped = true; window.location = exam.dataset.resultUrl; }
    }).catch(function () {}).then(function () { if (!stopped) { setTimeout(poll, paused ? 5000 : 30000); } });
  }
  setTimeout(poll, 30000);

  // What the page notices goes to the integrity log; best effort, it never holds up answering.
  function report(kind, seconds) {
    fetch("/exams/attempts/" + attempt + "/events", {
      method: "POST", credentials: "same-origin", keepalive: true,
      headers: { "Content-Type": "application/json", "x-csrftoken": csrf },
      body: JSON.stringify(seconds === undefined ? { kind: kind } : { kind: kind, seconds: seconds })
    }).catch(function () {});
  }
  document.addEventListener("visibilitychange", function () { if (document.hidden && !stopped) { report("hidden"); } });
  window.addEventListener("blur", function () { if (!document.hidden && !stopped) { report("focus_lost"); } });
  window.addEventListener("online", flush);
  var submitForm = document.getElementById("submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function () { stopped = true; });
  }
  flush();
}());
