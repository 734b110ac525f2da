/*
 * Quiz attempt enhancements. Without this script everything still works: answers are
 * saved by the form's own POST ("Next", "Save", "Finish") and ordering items move with
 * their buttons by a round trip.
 *
 * With it:
 * - each question is saved as soon as it changes (text after a short pause), one request
 *   at a time, each carrying the attempt version the page last saw; the server answers
 *   with the new version (or refuses a stale one, or says the attempt is closed);
 * - ordering items move up and down in place, keeping the focus on the moved item;
 * - the timer counts down on screen, and announces politely only at 5 and 1 minutes left
 *   and when the time is up, when the answers on the page are saved and submitted.
 */
(function () {
    "use strict";

    var form = document.querySelector("[data-quiz-form]");
    var finishForm = document.querySelector("[data-quiz-finish-form]");
    var timer = document.querySelector("[data-quiz-timer]");

    function setStatus(text, isError) {
        var status = form && form.querySelector("[data-quiz-status]");
        if (!status) {
            return;
        }
        status.textContent = text;
        status.classList.toggle("is-error", Boolean(isError));
    }

    // --- Saving per question ---------------------------------------------------------------
    var queue = [];
    var busy = false;
    var idleWaiters = [];
    var versionInput = form && form.querySelector("[data-quiz-version]");

    function questionData(fieldset) {
        var data = new FormData();
        var token = form.querySelector("input[name=csrfmiddlewaretoken]");
        data.append("csrfmiddlewaretoken", token ? token.value : "");
        data.append("version", versionInput.value);
        var position = fieldset.getAttribute("data-quiz-question");
        data.append("positions", position);
        var prefix = "q" + position + "-";
        fieldset.querySelectorAll("input, textarea, select").forEach(function (field) {
            if (!field.name || field.name.indexOf(prefix) !== 0) {
                return;
            }
            if ((field.type === "radio" || field.type === "checkbox") && !field.checked) {
                return;
            }
            data.append(field.name, field.value);
        });
        return data;
    }

    function enqueue(fieldset) {
        if (queue.indexOf(fieldset) === -1) {
            queue.push(fieldset);
        }
        pump();
    }

    function whenIdle() {
        return new Promise(function (resolve) {
            if (!busy && queue.length === 0) {
                resolve();
            } else {
                idleWaiters.push(resolve);
            }
        });
    }

    function finished() {
        busy = false;
        if (queue.length) {
            pump();
            return;
        }
        var waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach(function (resolve) { resolve(); });
    }

    function pump() {
        if (busy || !queue.length) {
            return;
        }
        busy = true;
        var fieldset = queue.shift();
        setStatus(form.getAttribute("data-msg-saving"), false);
        fetch(form.getAttribute("data-save-url"), {
            method: "POST",
            body: questionData(fieldset),
            credentials: "same-origin",
            headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
        }).then(function (response) {
            return response.json().then(function (payload) {
                return { status: response.status, payload: payload };
            });
        }).then(function (result) {
            var payload = result.payload;
            if (payload.ok) {
                versionInput.value = payload.version;
                if (payload.warning) {
                    setStatus(payload.message + " (" + payload.saved_at + "). " + payload.warning, true);
                } else {
                    setStatus(payload.message + " (" + payload.saved_at + ")", false);
                }
            } else if (payload.closed && payload.redirect) {
                window.location.assign(payload.redirect);
            } else {
                setStatus(payload.error, true);
            }
            finished();
        }).catch(function () {
            // Offline or the server did not answer: the answer stays on the page and the
            // form's own POST saves it on "Next" or "Save".
            setStatus(form.getAttribute("data-msg-offline"), true);
            finished();
        });
    }

    var typingTimers = {};

    function cancelTyping() {
        Object.keys(typingTimers).forEach(function (key) {
            window.clearTimeout(typingTimers[key]);
            delete typingTimers[key];
        });
    }

    if (form) {
        form.addEventListener("change", function (event) {
            var fieldset = event.target.closest("[data-quiz-question]");
            if (fieldset) {
                enqueue(fieldset);
            }
        });
        form.addEventListener("input", function (event) {
            var fieldset = event.target.closest("[data-quiz-question]");
            if (!fieldset || !(event.target.matches("input[type=text], textarea"))) {
                return;
            }
            var key = fieldset.getAttribute("data-quiz-question");
            window.clearTimeout(typingTimers[key]);
            typingTimers[key] = window.setTimeout(function () {
                delete typingTimers[key];
                enqueue(fieldset);
            }, 1500);
        });

        // Leaving the page (reload, link, closing the tab) in the pause after typing: the
        // last words go out with a beacon. Not after the form's own submit, which carries
        // them itself (a beacon then could make that submit look stale).
        window.addEventListener("pagehide", function () {
            Object.keys(typingTimers).forEach(function (key) {
                window.clearTimeout(typingTimers[key]);
                var fieldset = form.querySelector('[data-quiz-question="' + key + '"]');
                if (fieldset && navigator.sendBeacon) {
                    navigator.sendBeacon(form.getAttribute("data-save-url"), questionData(fieldset));
                }
            });
            typingTimers = {};
        });
        // Back to this page from the browser's page cache: its version may be old by now.
        window.addEventListener("pageshow", function (event) {
            if (event.persisted) {
                window.location.reload();
            }
        });

        // The form's own submit waits for saves in flight, so it carries the latest version.
        form.addEventListener("submit", function (event) {
            if (form.getAttribute("data-quiz-ready") === "1") {
                return;
            }
            var submitter = event.submitter;
            if (submitter && submitter.getAttribute("data-move")) {
                return; // handled by the click handler below (only reached without it)
            }
            event.preventDefault();
            cancelTyping();
            whenIdle().then(function () {
                // Later, not in this microtask: a form ignores requestSubmit() while it is
                // still firing the submit event being cancelled here.
                window.setTimeout(function () {
                    form.setAttribute("data-quiz-ready", "1");
                    if (submitter && typeof form.requestSubmit === "function") {
                        form.requestSubmit(submitter);
                    } else {
                        form.submit();
                    }
                }, 0);
            });
        });

        // --- Ordering: move items in place -------------------------------------------------
        form.addEventListener("click", function (event) {
            var button = event.target.closest("button[data-move]");
            if (!button) {
                return;
            }
            event.preventDefault();
            var item = button.closest("li");
            var list = item.parentElement;
            var direction = button.getAttribute("data-move");
            if (direction === "up" && item.previousElementSibling) {
                list.insertBefore(item, item.previousElementSibling);
            } else if (direction === "down" && item.nextElementSibling) {
                list.insertBefore(item.nextElementSibling, item);
            } else {
                return;
            }
            var items = Array.prototype.slice.call(list.children);
            items.forEach(function (li, index) {
                li.querySelector("[data-move=up]").disabled = index === 0;
                li.querySelector("[data-move=down]").disabled = index === items.length - 1;
            });
            var focusTarget = button.disabled
                ? item.querySelector(direction === "up" ? "[data-move=down]" : "[data-move=up]")
                : button;
            focusTarget.focus();
            var text = item.querySelector(".quiz-ordering-text").textContent;
            setStatus(form.getAttribute("data-msg-moved")
                .replace("{item}", text)
                .replace("{position}", String(items.indexOf(item) + 1)), false);
            enqueue(button.closest("[data-quiz-question]"));
        });
    }

    // --- Timer ---------------------------------------------------------------------------
    if (timer) {
        var remaining = parseInt(timer.getAttribute("data-remaining"), 10);
        var clock = timer.querySelector("[data-quiz-clock]");
        var announce = timer.querySelector("[data-quiz-announce]");
        var endsAt = Date.now() + remaining * 1000;
        var announced = { five: remaining <= 300, one: remaining <= 60, up: false };

        var format = function (seconds) {
            var h = Math.floor(seconds / 3600);
            var m = Math.floor((seconds % 3600) / 60);
            var s = seconds % 60;
            var pad = function (n) { return (n < 10 ? "0" : "") + n; };
            return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
        };

        var timeUp = function () {
            if (form) {
                cancelTyping();
                var action = form.querySelector("[data-quiz-action]");
                action.disabled = false;
                action.value = "timeup";
                whenIdle().then(function () {
                    form.setAttribute("data-quiz-ready", "1");
                    form.submit();
                });
            } else if (finishForm) {
                finishForm.submit();
            }
        };

        var tick = function () {
            var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
            clock.textContent = format(left);
            if (!announced.five && left <= 300) {
                announced.five = true;
                announce.textContent = timer.getAttribute("data-msg-five");
            }
            if (!announced.one && left <= 60) {
                announced.one = true;
                announce.textContent = timer.getAttribute("data-msg-one");
            }
            if (!announced.up && left <= 0) {
                announced.up = true;
                announce.textContent = timer.getAttribute("data-msg-up");
                window.clearInterval(interval);
                timeUp();
            }
        };
        var interval = window.setInterval(tick, 1000);
        tick();
    }
})();
