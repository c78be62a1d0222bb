//! The playground page: owns the state, the animation loop and the layout.

use super::{
    perf_now, trace_click, use_animation_frames, use_engine_worker, Charts, Dashboard, KnobPanel, LessonBanner, NodeView, Notices,
    PerfOverlay, SystemEditor, Toolbar, TracePanel, ViewMenu,
};
use crate::charts::LastSecond;
use crate::embed::Embed;
use crate::share::{link_query, SharedView};
use crate::state::{Action, AppState};
use crate::system::FAULT_BUTTONS;
use crate::url::{ParamError, UrlSettings};
use yew::prelude::*;

/// What the page was opened with.
#[derive(Properties, PartialEq)]
pub struct PlaygroundProps {
    /// Knobs and options from the query string.
    pub settings: UrlSettings,
    /// Query parameters that could not be used.
    pub errors: Vec<ParamError>,
    /// `?lesson=NAME&step=K`: the lesson and step (from 0) to open.
    #[prop_or_default]
    pub lesson: Option<(usize, usize)>,
    /// `?embed`: the compact view for an iframe (embed.rs).
    #[prop_or_default]
    pub embed: Option<crate::embed::Embed>,
}

/// The playground.
#[component]
pub fn Playground(props: &PlaygroundProps) -> Html {
    // The worker opens before the state, so the first run already lives in it.
    let link = use_engine_worker();
    let state = {
        let (settings, errors, lesson) = (props.settings.clone(), props.errors.clone(), props.lesson);
        use_reducer(move || {
            let mut state = AppState::new(settings, errors, perf_now);
            if let Some((i, step)) = lesson {
                state.apply(Action::OpenLesson(i, step));
            }
            state
        })
    };
    let dispatch: Callback<Action> = state.dispatcher().into();
    link.deliver(&dispatch);
    // Stopped while the page is hidden or scrolled out of view (an embed in
    // a long wiki page); `playing` stays set, so it resumes when shown.
    let root = use_node_ref();
    let visible = super::use_visible(root.clone());
    use_animation_frames(state.playing && visible, dispatch.reform(Action::Frame));
    let share_query = {
        let defaults = state.defaults.clone();
        let view =
            SharedView { selected_service: state.selected_service, chart_service: state.chart_service, ..SharedView::default() };
        // A lesson's link is its name and step: the lesson builds its own
        // scenario, and the earlier steps' changes come with the step.
        let lesson = state.lesson.as_ref().map(crate::lessons::query);
        use_memo((state.config.clone(), state.speed, state.template, view, lesson), move |(c, speed, t, view, l)| {
            l.clone().unwrap_or_else(|| link_query(c, &defaults, *speed, *t, view))
        })
    };
    // The address bar keeps the embed's own parameters; "Open in Brink"
    // links to the same scenario without them.
    let address = match &props.embed {
        Some(e) => crate::embed::query(&share_query, &Embed { play: state.playing, ..e.clone() }),
        None => (*share_query).clone(),
    };
    super::use_url_follows(address);
    // The other views get the scenario itself, a lesson's included.
    let view_query = {
        let defaults = state.defaults.clone();
        use_memo((state.config.clone(), state.speed, state.template), move |(c, speed, t)| {
            link_query(c, &defaults, *speed, *t, &SharedView::default())
        })
    };
    let drawer_open = use_state(|| false);
    if let Some(e) = &props.embed {
        return super::embed::view(&state, &dispatch, e, &share_query, root);
    }
    let toggle_drawer = {
        let open = drawer_open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let snap = state.snapshot.clone();
    let last = {
        let sim = state.engine.sim();
        LastSecond::of(sim.series(), sim.completed_seconds())
    };
    html! {
        <div class="app" ref={root} ondragover={super::on_dragover()} ondrop={super::on_drop(dispatch.clone())}>
            <Toolbar
                playing={state.playing}
                finished={state.finished()}
                speed={state.speed}
                now_s={snap.now.as_secs_f64()}
                end_s={snap.end.as_secs_f64()}
                seed={state.config.seed}
                seed_pending={state.pending_restart.contains(&"seed")}
                lesson={state.lesson.as_ref().map(|l| l.index)}
                template={state.template}
                share_query={(*share_query).clone()}
                drawer_open={*drawer_open}
                on_toggle_drawer={toggle_drawer.clone()}
                dispatch={dispatch.clone()}
                scenario_query={Some((*view_query).clone())}
            />
            <div class="body">
                <aside id="knobs" class={classes!("sidebar", drawer_open.then_some("sidebar--open"))} aria-label="Knobs">
                    <button class="btn btn--small sidebar__close" onclick={toggle_drawer.clone()}>{ "✕ Close" }</button>
                    <ViewMenu share_query={(*view_query).clone()} />
                    <KnobPanel
                        config={state.config.clone()}
                        defaults={state.defaults.clone()}
                        pending={state.pending_restart.clone()}
                        target={state.target()}
                        dispatch={dispatch.clone()}
                    />
                    <SystemEditor
                        config={state.config.clone()}
                        selected={state.selected_service}
                        running_name={snap.services.get(state.selected_service).map(|s| s.name.clone()).unwrap_or_default()}
                        running={state.running_summary()}
                        faults={FAULT_BUTTONS.iter().map(|b| state.fault_for(b.kind)).collect::<Vec<_>>()}
                        dispatch={dispatch.clone()}
                    />
                    <super::ExportButtons engine={state.engine.clone()} config={state.config.clone()} dispatch={dispatch.clone()} />
                </aside>
                <main class="main" onclick={trace_click(dispatch.clone(), snap.clone())}>
                    if let Some(run) = &state.lesson {
                        <LessonBanner run={run.clone()} open={state.lesson_open} dispatch={dispatch.clone()} />
                    }
                    <Notices notices={state.notices.clone()} pending={state.pending_restart.clone()} story={state.story()} dispatch={dispatch.clone()} />
                    <NodeView snapshot={snap.clone()} config={state.config.clone()} {last} finished={state.finished()} selected={state.selected_service} dispatch={dispatch.clone()} />
                    <Charts engine={state.engine.clone()} rev={state.chart_rev} service={state.chart_service}
                        services={snap.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>()} dispatch={dispatch.clone()} />
                    <Dashboard engine={state.engine.clone()} rev={state.chart_rev} />
                    <super::ChartSummary engine={state.engine.clone()} service={state.chart_service}
                        service_name={state.chart_service.and_then(|i| snap.services.get(i)).map(|s| AttrValue::from(s.name.clone())).unwrap_or_default()} />
                    <TracePanel engine={state.engine.clone()} rev={state.chart_rev} pick={state.trace_pick} trace={state.engine.sim().trace()} on={state.config.traces.sample_per_s > 0.0} />
                </main>
            </div>
            <PerfOverlay
                playing={state.playing}
                fps={state.perf.fps}
                events_per_s={state.perf.events_per_s}
                achieved_speed={state.perf.achieved_speed}
                speed={state.speed}
                behind={state.behind}
            />
        </div>
    }
}
