// A day's free times drawn in the browser from one element's state (slot_picker.SlotTimes): the server keeps one
// element however many times the day has, instead of one button element each to build, send and update on every
// choice. Each time is a real button (Quasar's QBtn) named by its time ('10:30'; in a group class '10:30, 3 seats
// left', the seats shown under the time); the chosen one is filled and has aria-pressed="true". The group's role and
// name ('Free times on <day>') are the element's own props, on this root. A click emits `choose` with the time's
// `start` as the server sent it; the server checks that it is still a time it offers. It has no words of its own:
// the times, names and seats come in `times`, one ASCII JSON string (see ui/components/wire.py).
export default {
  template: `
  <div class="k-slot-grid">
    <q-btn v-for="time in list" :key="time.start" no-caps color="primary" :outline="time.start !== chosen"
           :unelevated="time.start === chosen" :aria-pressed="time.start === chosen ? 'true' : 'false'"
           :aria-label="time.name" :label="time.seats ? undefined : time.label"
           class="text-body1 text-weight-medium" @click="choose(time.start)">
      <div v-if="time.seats" class="column items-center">
        <span class="text-body1 text-weight-medium">{{ time.label }}</span>
        <span class="text-caption">{{ time.seats }}</span>
      </div>
    </q-btn>
  </div>
  `,
  props: {
    times: String,
    chosen: String,
  },
  computed: {
    list() {
      return JSON.parse(this.times || "[]");
    },
  },
  methods: {
    choose(start) {
      this.$emit("choose", start);
    },
  },
};
