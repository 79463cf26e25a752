// The frame of every page, public or signed in, as one element: a top bar with the business's logo and name (and
// Sign out when signed in), the panel's section tabs when there are sections, and the main landmark below them,
// into which the page's content (the element's children) goes.
// Sign out is a form that POSTs to /logout: no link or image on another site can sign anyone out.
// Choosing a tab emits `navigate` with the section's path; the server moves the single-page app there.
// The browser's time zone is learned here and only here: `timezone` is emitted once, when it differs from `zone`.
// The language switcher (public pages) emits `language` with the code chosen; the server keeps the choice and builds
// the page again in it. Every word here comes from the server, already in the page's language, in `words` (one ASCII
// JSON string: see ui/components/wire.py).
export default {
  template: `
  <div class="k-shell">
  <div class="k-chrome">
    <header class="k-bar row items-center justify-between no-wrap q-px-md q-py-sm bg-primary text-white">
      <div class="row items-center no-wrap q-gutter-x-sm">
        <img v-if="logo" :src="logo" :alt="business" class="k-logo" />
        <span class="text-subtitle1 text-weight-medium">{{ business }}</span>
      </div>
      <div class="row items-center no-wrap">
        <q-btn-dropdown v-if="w.languages.length" flat dense no-caps color="white" icon="translate"
                        :label="current_language" :aria-label="w.choose_label + ': ' + current_language"
                        class="k-language q-px-sm">
          <q-list role="menu" :aria-label="w.choose_label">
            <q-item v-for="l in w.languages" :key="l.code" clickable v-close-popup role="menuitemradio"
                    :aria-checked="l.code === language ? 'true' : 'false'" :active="l.code === language"
                    :lang="l.lang" @click="choose(l.code)">
              <q-item-section>{{ l.name }}</q-item-section>
            </q-item>
          </q-list>
        </q-btn-dropdown>
        <form v-if="signed_in" method="post" action="/logout" class="q-ma-none">
          <q-btn type="submit" flat no-caps color="white" :label="w.sign_out_label" />
        </form>
      </div>
    </header>
    <div v-if="w.sections.length" class="k-main q-px-md q-pt-md">
      <q-tabs :model-value="current" @update:model-value="go" dense outside-arrows mobile-arrows
              no-caps align="left" class="k-nav" :aria-label="w.sections_label">
        <q-tab v-for="s in w.sections" :key="s.path" :name="s.path" :label="s.label" class="q-px-sm" />
      </q-tabs>
    </div>
  </div>
  <main class="k-main q-pa-md column no-wrap gap-4" :class="w.sections.length ? '' : 'items-start q-mt-md'"><slot></slot></main>
  </div>
  `,
  props: {
    business: String,
    logo: String,
    signed_in: Boolean,
    current: String,
    zone: String,
    learn_zone: Boolean,
    language: String,
    words: String, // ASCII JSON: {sections, sign_out_label, sections_label, choose_label, languages}
    html_lang: String,
  },
  computed: {
    w() {
      return JSON.parse(this.words || "{}");
    },
    current_language() {
      return (this.w.languages.find((l) => l.code === this.language) || {}).name || "";
    },
  },
  mounted() {
    // The live frame takes the place of the static copy the page was first painted with (ui/theme.py): hidden and out
    // of the flow at once, removed a moment later. The browser learns when the copy's paint reached the screen only
    // with a later frame, and forgets the paint (no largest-contentful-paint entry) if the copy is gone by then.
    const copy = document.getElementById("k-first-paint");
    if (copy) {
      copy.style.cssText = "position: absolute; top: 0; left: 0; width: 100%; visibility: hidden; pointer-events: none";
      setTimeout(() => copy.remove(), 1000);
    }
    // Quasar's language pack names the page's language without its region (pt); the page says which (pt-PT).
    if (this.html_lang) document.documentElement.lang = this.html_lang;
    // NiceGUI sends the event once the page is connected; an ordinary visit costs the server no extra round trip.
    if (!this.learn_zone) return;
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && zone !== this.zone) this.$emit("timezone", zone);
  },
  methods: {
    choose(code) {
      if (code !== this.language) this.$emit("language", code);
    },
    go(path) {
      if (path !== this.current) this.$emit("navigate", path);
    },
  },
};
