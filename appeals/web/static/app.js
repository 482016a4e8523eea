// The page's few behaviours: drop zone + progress, and forms that save through the API.
// No framework, nothing loaded from elsewhere (the Content-Security-Policy allows 'self').
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

function say(el, text, bad) {
  if (!el) return;
  el.textContent = text;
  el.classList.toggle("alert", !!bad);
  el.setAttribute("role", bad ? "alert" : "status");
}

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {error: "The server's answer could not be read."}; }
  if (!response.ok) throw new Error(data.error || ("Failed (" + response.status + ")"));
  return data;
}

function wireForms() {
  document.querySelectorAll("form[data-api]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = form.querySelector(".form-status");
      const button = form.querySelector('button[type="submit"]');
      const body = {};
      new FormData(form).forEach((value, key) => { body[key] = String(value); });
      button.disabled = true;
      say(status, "Saving…", false);
      try {
        await postJSON(form.dataset.api, body);
        say(status, "Saved.", false);
        if (form.dataset.reload) {
          sessionStorage.setItem("appeals-focus", form.id);
          location.reload();
        }
      } catch (err) {
        say(status, err.message, true);
      } finally {
        button.disabled = false;
      }
    });
  });
  const again = sessionStorage.getItem("appeals-focus");
  if (again) {
    sessionStorage.removeItem("appeals-focus");
    const form = document.getElementById(again);
    if (form) {
      say(form.querySelector(".form-status"), "Saved.", false);
      form.scrollIntoView({block: "center"});
    }
  }
}

function wireUpload() {
  const form = document.getElementById("upload");
  if (!form) return;
  const input = document.getElementById("files");
  const chosen = document.getElementById("chosen");
  const start = document.getElementById("start");
  const box = document.getElementById("progress-box");
  const bar = document.getElementById("progress");
  const label = document.getElementById("progress-label");
  const status = document.getElementById("upload-status");
  const problem = document.getElementById("upload-error");
  let files = [];

  function show() {
    chosen.textContent = "";
    files.forEach((f) => {
      const li = document.createElement("li");
      li.dataset.name = f.name;
      const name = document.createElement("span");
      name.className = "fname";
      name.textContent = f.name + " (" + Math.max(1, Math.round(f.size / 1024)) + " KB)";
      li.appendChild(name);
      chosen.appendChild(li);
    });
    start.disabled = files.length === 0;
  }
  function fileError(name, message) {
    const li = [...chosen.children].find((el) => el.dataset.name === name);
    const note = document.createElement("span");
    note.className = "file-error";
    note.textContent = message;
    (li || problem).appendChild(note);
  }
  input.addEventListener("change", () => { files = [...input.files]; show(); });
  ["dragenter", "dragover"].forEach((type) => form.addEventListener(type, (e) => {
    e.preventDefault(); form.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((type) => form.addEventListener(type, () => form.classList.remove("over")));
  form.addEventListener("drop", (e) => {
    e.preventDefault();
    files = [...e.dataTransfer.files];
    show();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!files.length) return;
    const max = Number(form.dataset.max) * 1000000;
    const total = files.reduce((n, f) => n + f.size, 0);
    problem.textContent = "";
    if (total > max) {
      say(problem, "These files come to " + Math.round(total / 1000000) + " MB, over the limit of " + form.dataset.max + " MB. Upload fewer at a time.", true);
      return;
    }
    const data = new FormData();
    files.forEach((f) => data.append("files", f, f.name));
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/runs?wait=0");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    box.hidden = false;
    start.disabled = true;
    label.textContent = "Uploading…";
    xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; } };
    xhr.onerror = () => { say(problem, "The upload did not reach the server. Is it still running?", true); start.disabled = false; };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status !== 202) {
        say(problem, body.error || ("Upload refused (" + xhr.status + ")"), true);
        box.hidden = true;
        start.disabled = false;
        return;
      }
      poll(body.run_id);
    };
    xhr.send(data);
  });

  async function poll(runId) {
    const response = await fetch("/api/runs/" + encodeURIComponent(runId) + "/progress", {credentials: "same-origin"});
    const p = await response.json();
    if (p.stage === "done") {
      say(status, "Done. Opening the run…", false);
      location.href = "/runs/" + encodeURIComponent(runId);
      return;
    }
    if (p.stage === "failed") {
      box.hidden = true;
      start.disabled = false;
      say(problem, p.message || "The run failed.", true);
      (p.files || p.bad_files || []).forEach((f) => { if (f.error) fileError(f.name, f.error); });
      return;
    }
    if (p.stage === "writing" && p.total) {
      label.textContent = "Writing letters and worksheets: " + p.done + " of " + p.total;
      bar.max = p.total;
      bar.value = p.done;
    } else if (p.stage === "saving") {
      label.textContent = "Writing the work queue…";
      bar.removeAttribute("value");
    } else {
      label.textContent = "Reading and classifying…";
      bar.removeAttribute("value");
    }
    setTimeout(() => poll(runId), 400);
  }
}

document.addEventListener("DOMContentLoaded", () => { wireForms(); wireUpload(); });
