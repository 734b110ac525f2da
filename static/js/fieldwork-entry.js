/* The fieldwork entry form: saves the draft as the trainee types, and keeps unsent text.
 *
 * - Every change is kept at once in localStorage (this device), then sent to the server
 *   after a pause in typing (debounced) with the version the page holds. The server refuses
 *   a save from an older page (409) and the message says so; nothing is overwritten.
 * - After a reload, text in localStorage newer than the server's copy is put back in the
 *   form and saved.
 * - Without JavaScript the form's buttons (save draft / submit) still work by a normal POST.
 */
(function () {
    "use strict";

    var form = document.getElementById("fieldwork-entry-form");
    if (!form || !window.fetch || !window.FormData) {
        return;
    }
    var statusEl = document.getElementById("fieldwork-autosave-status");
    var uploadForm = document.getElementById("fieldwork-upload-form");
    var uploadLater = document.getElementById("fieldwork-upload-later");
    var versionInput = form.querySelector("input[name=version]");
    var autosaveUrl = form.dataset.autosaveUrl;
    var draftKey = form.dataset.draftKey;
    var serverUpdated = Date.parse(form.dataset.serverUpdated || "") || 0;
    var SKIP = { csrfmiddlewaretoken: true, version: true, action: true };
    var DELAY_MS = 1200;
    var timer = null;
    var saving = null;
    var changes = 0;
    var stale = false;

    function say(text, isError) {
        if (!statusEl) {
            return;
        }
        statusEl.textContent = text;
        statusEl.classList.toggle("fw-autosave--error", Boolean(isError));
    }

    function values() {
        var data = {};
        Array.prototype.forEach.call(form.elements, function (el) {
            if (el.name && !SKIP[el.name]) {
                data[el.name] = el.value;
            }
        });
        return data;
    }

    function storage() {
        try {
            return window.localStorage;
        } catch (error) {
            return null;
        }
    }

    function keepOnDevice() {
        var store = storage();
        if (store) {
            try {
                store.setItem(draftKey, JSON.stringify({ savedAt: Date.now(), values: values() }));
            } catch (error) {
                /* storage full or disabled: the server copy still works */
            }
        }
    }

    function forgetOnDevice(key) {
        var store = storage();
        if (store) {
            store.removeItem(key || draftKey);
        }
    }

    function restore() {
        var store = storage();
        var raw = store && store.getItem(draftKey);
        if (!raw) {
            return false;
        }
        var kept;
        try {
            kept = JSON.parse(raw);
        } catch (error) {
            forgetOnDevice();
            return false;
        }
        if (!kept || !kept.values || kept.savedAt <= serverUpdated) {
            forgetOnDevice();
            return false;
        }
        var changed = false;
        Object.keys(kept.values).forEach(function (name) {
            var el = form.elements.namedItem(name);
            if (el && el.value !== kept.values[name]) {
                el.value = kept.values[name];
                changed = true;
            }
        });
        if (changed) {
            say(form.dataset.msgRestored, false);
        }
        return changed;
    }

    function firstSave(data) {
        // The first save of a new entry created it: from now on, this page edits that draft.
        var oldKey = draftKey;
        draftKey = "fieldwork-entry-" + data.id;
        forgetOnDevice(oldKey);
        autosaveUrl = data.autosave_url;
        form.action = data.edit_url;
        if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", data.edit_url);
        }
        if (uploadForm) {
            uploadForm.action = data.upload_url;
            uploadForm.hidden = false;
        }
        if (uploadLater) {
            uploadLater.hidden = true;
        }
    }

    function save() {
        if (timer) {
            window.clearTimeout(timer);
            timer = null;
        }
        if (stale) {
            return Promise.resolve(false);
        }
        if (saving) {
            // One request at a time: the next starts when this one has its version.
            return saving.then(function () {
                return changes ? save() : true;
            });
        }
        var sent = changes;
        var body = new FormData(form);
        body.delete("action");
        say(form.dataset.msgSaving, false);
        saving = window
            .fetch(autosaveUrl, {
                method: "POST",
                body: body,
                credentials: "same-origin",
                headers: { Accept: "application/json" },
            })
            .then(function (response) {
                return response.json().then(function (data) {
                    return { response: response, data: data };
                });
            })
            .then(function (result) {
                var data = result.data;
                if (result.response.status === 409) {
                    stale = true;
                    say(data.message, true);
                    return false;
                }
                if (!result.response.ok || !data.ok) {
                    say(data.message || form.dataset.msgFailed, true);
                    return false;
                }
                versionInput.value = data.version;
                if (data.autosave_url !== autosaveUrl) {
                    firstSave(data);
                }
                serverUpdated = Date.parse(data.saved_at) || serverUpdated;
                changes -= sent;
                if (changes <= 0) {
                    changes = 0;
                    forgetOnDevice();
                }
                var problems = [];
                Object.keys(data.errors || {}).forEach(function (name) {
                    problems = problems.concat(data.errors[name]);
                });
                if (problems.length) {
                    say(form.dataset.msgUnsaved + " " + problems.join(" "), true);
                } else {
                    say(form.dataset.msgSaved, false);
                }
                return true;
            })
            .catch(function () {
                say(form.dataset.msgFailed, true);
                return false;
            })
            .finally(function () {
                saving = null;
            });
        return saving;
    }

    function changed() {
        changes += 1;
        keepOnDevice();
        if (timer) {
            window.clearTimeout(timer);
        }
        timer = window.setTimeout(save, DELAY_MS);
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    window.addEventListener("online", function () {
        if (changes) {
            save();
        }
    });
    document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "hidden" && changes) {
            save();
        }
    });
    form.addEventListener("submit", function (event) {
        if (!timer && !saving) {
            return;
        }
        // Let the pending autosave finish first, so the form posts the newest version.
        event.preventDefault();
        var submitter = event.submitter;
        save().then(function () {
            if (submitter && submitter.name) {
                var action = document.createElement("input");
                action.type = "hidden";
                action.name = submitter.name;
                action.value = submitter.value;
                form.appendChild(action);
            }
            changes = 0;
            form.submit();
        });
    });
    if (uploadForm) {
        uploadForm.addEventListener("submit", function (event) {
            if (!changes) {
                return;
            }
            // Save what was typed before the page goes away with the upload.
            event.preventDefault();
            save().then(function () {
                uploadForm.submit();
            });
        });
    }
    if (restore()) {
        changes += 1;
        save();
    }
})();
