// The /editors test page (www/editors.js): a custom element with an input in an open shadow
// root, a tiny editor of its own (a model, drawn as text) given to guard.registerField, Quill.
customElements.define(
  "shadow-field",
  class extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" }).innerHTML = '<label>Subtitle <input name="subtitle" id="subtitle"></label>';
    }
  },
);

const widget = document.getElementById("widget");
widget.style.minHeight = "2em";
window.widgetModel = { text: "" };
const draw = () => (widget.textContent = window.widgetModel.text);
widget.addEventListener("keydown", (event) => {
  if (event.key.length !== 1) return;
  event.preventDefault();
  window.widgetModel.text += event.key;
  draw();
  widget.dispatchEvent(new Event("input", { bubbles: true }));
});
const register = (guard) => {
  window.unregisterWidget = guard.registerField(widget, {
    read: () => window.widgetModel.text,
    write: (value) => {
      window.widgetModel.text = value;
      draw();
    },
  });
};
if (window.sessionGuard) register(window.sessionGuard);
else document.addEventListener("sessionguard:ready", (event) => register(event.detail.guard), { once: true });

if (window.Quill) window.quill = new window.Quill("#quill-box");

if (window.tinymce) {
  window.tinymce.init({ selector: "#tiny", license_key: "gpl", menubar: false, toolbar: false, statusbar: false, promotion: false, branding: false });
}

if (window.CKEDITOR) {
  const { ClassicEditor, Essentials, Paragraph, Bold } = window.CKEDITOR;
  ClassicEditor.create(document.getElementById("ck"), { licenseKey: "GPL", plugins: [Essentials, Paragraph, Bold], toolbar: ["bold"] }).then(
    (editor) => (window.ckeditor = editor),
  );
}

if (window.Tiptap) {
  const element = document.getElementById("tiptap");
  window.tiptap = new window.Tiptap.Editor({ element, extensions: [window.Tiptap.StarterKit] });
}

// An editor created after the guard started (as a single-page app would): /editors?late=1.
if (new URLSearchParams(location.search).has("late") && window.Quill) {
  const mount = () => {
    const box = document.createElement("div");
    box.id = "late-quill";
    document.getElementById("editors-form").append(box);
    window.lateQuill = new window.Quill(box);
  };
  if (window.sessionGuard) setTimeout(mount, 0);
  else document.addEventListener("sessionguard:ready", () => setTimeout(mount, 0), { once: true });
}
