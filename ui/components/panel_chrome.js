// The panel's top bar and section tabs as one element: the business's name, Sign out, and a tab per section.
// Sign out is a form that POSTs to /logout: no link or image on another site can sign anyone out.
// Choosing a tab emits `navigate` with the section's path; the server moves the single-page app there.
// The element's children (the current section) go in the main landmark below the tabs.
export default {
  template: `
  <div class="k-shell">
  <div class="k-chrome">
    <header class="k-bar row items-center justify-between no-wrap q-px-md q-py-sm bg-primary text-white">
      <div class="row items-center no-wrap q-gutter-x-sm">
        <img v-if="logo" :src="logo" :alt="business" class="k-logo" />
        <span class="text-subtitle1 text-weight-medium">{{ business }}</span>
      </div>
      <form method="post" action="/logout" class="q-ma-none">
        <q-btn type="submit" flat no-caps color="white" label="Sign out" />
      </form>
    </header>
    <div class="k-main q-px-md q-pt-md">
      <q-tabs :model-value="current" @update:model-value="go" dense outside-arrows mobile-arrows
              no-caps align="left" class="k-nav" aria-label="Panel sections">
        <q-tab v-for="s in sections" :key="s.path" :name="s.path" :label="s.label" class="q-px-sm" />
      </q-tabs>
    </div>
  </div>
  <main class="k-main q-pa-md column no-wrap gap-4"><slot></slot></main>
  </div>
  `,
  props: {
    color: String,
    business: String,
    logo: String,
    sections: Array,
    current: String,
    zone: String,
  },
  created() {
    // The business's colour and readable status colours, as ui.colors would set them, without an element per visit.
    // Set before the tabs render, so the selected tab does not fade from Quasar's default blue.
    const colors = { positive: "#15803d", negative: "#b91c1c", warning: "#b45309", info: "#0369a1" };
    if (this.color) colors.primary = this.color;
    for (const [name, value] of Object.entries(colors)) document.body.style.setProperty("--q-" + name, value);
  },
  mounted() {
    // Tell the server the browser's time zone when it is not the one it knows (NiceGUI sends it after connecting).
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== this.zone) this.$emit("timezone", zone);
  },
  methods: {
    go(path) {
      if (path !== this.current) this.$emit("navigate", path);
    },
  },
};
