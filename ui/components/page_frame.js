// The frame of every page, public or signed in, as one element: a top bar with the business's logo and name (and
// Sign out when signed in), the panel's section tabs when there are sections, and the main landmark below them,
// into which the page's content (the element's children) goes.
// Sign out is a form that POSTs to /logout: no link or image on another site can sign anyone out.
// Choosing a tab emits `navigate` with the section's path; the server moves the single-page app there.
// The browser's time zone is learned here and only here: `timezone` is emitted once, when it differs from `zone`.
export default {
  template: `
  <div class="k-shell">
  <div class="k-chrome">
    <header class="k-bar row items-center justify-between no-wrap q-px-md q-py-sm bg-primary text-white">
      <div class="row items-center no-wrap q-gutter-x-sm">
        <img v-if="logo" :src="logo" :alt="business" class="k-logo" />
        <span class="text-subtitle1 text-weight-medium">{{ business }}</span>
      </div>
      <form v-if="signed_in" method="post" action="/logout" class="q-ma-none">
        <q-btn type="submit" flat no-caps color="white" label="Sign out" />
      </form>
    </header>
    <div v-if="tabs.length" class="k-main q-px-md q-pt-md">
      <q-tabs :model-value="current" @update:model-value="go" dense outside-arrows mobile-arrows
              no-caps align="left" class="k-nav" aria-label="Panel sections">
        <q-tab v-for="s in tabs" :key="s.path" :name="s.path" :label="s.label" class="q-px-sm" />
      </q-tabs>
    </div>
  </div>
  <main class="k-main q-pa-md column no-wrap gap-4" :class="tabs.length ? '' : 'items-start q-mt-md'"><slot></slot></main>
  </div>
  `,
  props: {
    business: String,
    logo: String,
    signed_in: Boolean,
    sections: String, // ASCII JSON of [{path, label, icon}] (ui/components/wire.py)
    current: String,
    zone: String,
    learn_zone: Boolean,
  },
  computed: {
    tabs() {
      return this.sections ? JSON.parse(this.sections) : [];
    },
  },
  mounted() {
    // The live frame takes the place of the static copy the page was first painted with (ui/theme.py).
    document.getElementById("k-first-paint")?.remove();
    // NiceGUI sends the event once the page is connected; an ordinary visit costs the server no extra round trip.
    if (!this.learn_zone) return;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== this.zone) this.$emit("timezone", zone);
  },
  methods: {
    go(path) {
      if (path !== this.current) this.$emit("navigate", path);
    },
  },
};
