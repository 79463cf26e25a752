// The Appointments section drawn in the browser from one state object: the mini-dashboard, the tabs,
// the sort, a page of cards and the pager. The server keeps a single element per visitor, whatever
// the number of appointments, and answers the events this emits: `view` ({tab, sort, page}) and
// `action` ({kind, id}). It has no words of its own: every fixed text comes translated from the server in
// `labels` (appointments_view.panel_labels), every other in the state.
export default {
  template: `
  <div class="column q-gutter-y-md full-width">
    <section v-if="state.dashboard" class="column q-gutter-y-sm" :aria-label="words.overview" data-testid="dashboard">
      <q-card flat bordered class="k-card q-pa-md" data-testid="next-appointment">
        <div class="text-overline k-muted">{{ words.next }}</div>
        <template v-if="state.dashboard.next">
          <h2 class="text-h6 q-my-xs">{{ state.dashboard.next.service }}</h2>
          <div class="row items-center q-gutter-x-lg q-gutter-y-xs text-body1">
            <span v-for="fact in state.dashboard.next.facts" :key="fact.what" class="row items-center no-wrap">
              <q-icon :name="fact.icon" size="20px" class="k-muted q-mr-xs" aria-hidden="true" />
              <span :aria-label="fact.label">{{ fact.text }}</span>
            </span>
          </div>
          <div>
            <q-btn flat dense no-caps color="primary" :label="words.view_details" class="q-mt-sm"
                   @click="act('details', state.dashboard.next.id)" />
          </div>
        </template>
        <template v-else>
          <div class="text-subtitle1 q-mb-sm">{{ words.nothing_booked }}</div>
          <q-btn unelevated no-caps color="primary" :label="words.book" :href="state.booking_url" />
        </template>
      </q-card>
      <div class="row q-gutter-sm">
        <q-chip outline color="primary" icon="event" class="k-chip" data-testid="chip-upcoming">
          {{ state.dashboard.upcoming_text }}</q-chip>
        <q-chip outline color="positive" icon="task_alt" class="k-chip" data-testid="chip-completed">
          {{ state.dashboard.completed_text }}</q-chip>
      </div>
    </section>

    <h2 class="text-h6 q-mt-sm q-mb-none">{{ words.heading }}</h2>
    <div class="row items-center justify-between q-gutter-y-sm">
      <q-tabs :model-value="state.tab" @update:model-value="tab => view({tab: tab, page: 1})" dense no-caps
              align="left" :aria-label="words.heading" active-color="primary" indicator-color="primary">
        <q-tab v-for="t in state.tabs" :key="t.name" :name="t.name" :label="t.label + ' (' + t.count + ')'" />
      </q-tabs>
      <q-select v-if="state.tab === 'all'" :model-value="state.sort" :options="state.sorts" emit-value map-options
                outlined dense options-dense :label="words.sort_by" style="min-width: 12rem"
                @update:model-value="sort => view({sort: sort, page: 1})" />
    </div>

    <div v-if="state.rows.length" class="row q-col-gutter-sm" role="list" :aria-label="words.cards">
      <div v-for="row in state.rows" :key="row.id" class="col-12 col-sm-6 col-md-4" role="listitem">
        <q-card flat bordered class="k-card full-height column" role="article" :aria-label="row.label">
          <q-card-section class="q-pb-xs col">
            <div class="row items-start no-wrap q-gutter-x-sm">
              <h3 class="col text-subtitle1 text-weight-medium q-my-none">{{ row.service }}</h3>
              <q-badge v-if="row.status_label" :style="{background: row.status_color}" text-color="white"
                       class="q-py-xs q-px-sm" data-testid="status-badge">
                <span v-if="row.status_icon" class="material-icons k-badge-icon" aria-hidden="true"
                      :data-icon="row.status_icon"></span>{{ row.status_label }}
              </q-badge>
            </div>
            <div class="text-body2 q-mt-xs">{{ row.when }}</div>
            <div v-if="row.staff" class="row items-center no-wrap q-mt-sm q-gutter-x-sm">
              <q-avatar v-if="row.staff_avatar !== null" size="28px" color="grey-3" text-color="grey-9">
                <img v-if="row.staff_avatar" :src="row.staff_avatar" alt="">
                <span v-else aria-hidden="true">{{ row.staff_initials }}</span>
              </q-avatar>
              <span class="text-body2">{{ row.staff }}</span>
            </div>
            <div v-if="row.location" class="text-body2 k-muted q-mt-xs">
              <q-icon name="place" size="16px" aria-hidden="true" /> {{ row.location }}
            </div>
            <div v-if="row.price || row.payment_label" class="text-body2 q-mt-xs">
              <span v-if="row.price" class="text-weight-medium" data-testid="card-price">{{ row.price }}</span>
              <span v-if="row.price && row.payment_label" class="k-muted"> · </span>
              <span v-if="row.payment_label" class="k-muted" data-testid="card-payment">{{ row.payment_label }}</span>
            </div>
            <div v-if="row.note" class="text-caption k-muted q-mt-xs">{{ row.note }}</div>
          </q-card-section>
          <q-card-actions class="q-pt-none q-px-sm">
            <q-btn flat dense no-caps color="primary" :label="words.details" :aria-label="named('details_for', row.label)"
                   @click="act('details', row.id)" />
            <q-btn v-if="row.can_reschedule" flat dense no-caps color="primary" :label="words.reschedule"
                   :aria-label="named('reschedule_for', row.label)" @click="act('reschedule', row.id)" />
            <q-btn v-if="row.can_pay" flat dense no-caps color="primary" :label="words.pay"
                   :aria-label="named('pay_for', row.label)" @click="act('pay', row.id)" />
            <q-btn v-if="row.can_status" flat dense no-caps color="primary" :label="words.change_status"
                   :aria-label="named('change_status_for', row.label)" @click="act('status', row.id)" />
            <q-btn v-if="row.rebook_url" flat dense no-caps color="primary" :label="words.rebook"
                   :aria-label="named('rebook_for', row.service)" :href="row.rebook_url" />
          </q-card-actions>
        </q-card>
      </div>
    </div>

    <div v-else class="column items-center q-pa-lg q-gutter-y-sm text-center" role="status" data-testid="empty-state">
      <q-icon name="event_available" size="48px" class="k-muted" aria-hidden="true" />
      <div class="text-body1">{{ state.empty_text }}</div>
      <q-btn unelevated no-caps color="primary" :label="words.book" :href="state.booking_url" />
    </div>

    <nav v-if="state.pages > 1" class="row items-center justify-center q-gutter-x-sm" :aria-label="words.pages">
      <q-btn flat no-caps color="primary" :label="words.previous" :disable="state.page <= 1"
             @click="view({page: state.page - 1})" />
      <span aria-live="polite">{{ state.page_text }}</span>
      <q-btn flat no-caps color="primary" :label="words.next_page" :disable="state.page >= state.pages"
             @click="view({page: state.page + 1})" />
    </nav>
  </div>
  `,
  props: {
    data: String,
    labels: String,
  },
  computed: {
    state() {
      return JSON.parse(this.data);
    },
    words() {
      return JSON.parse(this.labels);
    },
  },
  methods: {
    named(key, card) {
      // The translated name with the card's own label in its place ("{card}", appointments_view.CARD).
      return this.words[key].split("{card}").join(card);
    },
    act(kind, id) {
      this.$emit("action", { kind: kind, id: id });
    },
    view(change) {
      this.$emit("view", change);
    },
  },
};
