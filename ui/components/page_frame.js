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
    business: String,
    logo: String,
    sections: Array,
    current: String,
    zone: String,
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
