/**
 * The console's stylesheet. Lit adopts it as a constructable stylesheet, which the page's
 * `style-src 'self'` policy allows (no inline <style> or style="" anywhere). Colours are the
 * custom properties from global.css, so light and dark follow prefers-color-scheme.
 */
import { css } from 'lit';

export const styles = css`
  :host { display: block; min-height: 100vh; }
  a { color: var(--accent); }
  :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 4px; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }

  header {
    display: flex; align-items: center; justify-content: space-between; gap: .75rem;
    padding: .75rem clamp(.75rem, 3vw, 2rem);
    background: var(--surface); border-bottom: 1px solid var(--border);
  }
  .brand { display: flex; align-items: center; gap: .6rem; font-weight: 650; font-size: 1.05rem; min-width: 0; }
  .brand > span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .pill { flex: none; white-space: nowrap; }
  .brand svg { width: 28px; height: 28px; flex: none; }
  .brand .sub { color: var(--muted); font-weight: 400; }
  @media (max-width: 479px) { .brand .sub { display: none; } }

  .pill {
    display: inline-flex; align-items: center; gap: .45rem; padding: .25rem .7rem; border-radius: 999px;
    font-size: .875rem; font-weight: 600; border: 1px solid var(--border); background: var(--surface-2);
  }
  .dot { width: .6rem; height: .6rem; border-radius: 50%; background: var(--muted); flex: none; }
  .pill[data-state='connected'] { color: var(--ok); background: var(--ok-bg); border-color: transparent; }
  .pill[data-state='connected'] .dot { background: var(--ok); }
  .pill[data-state='reconnecting'], .pill[data-state='connecting'] { color: var(--warn); background: var(--warn-bg); border-color: transparent; }
  .pill[data-state='reconnecting'] .dot, .pill[data-state='connecting'] .dot { background: var(--warn); }
  .pill[data-state='refused'] { color: var(--bad); background: var(--bad-bg); border-color: transparent; }
  .pill[data-state='refused'] .dot { background: var(--bad); }

  main { max-width: 72rem; margin: 0 auto; padding: clamp(.75rem, 3vw, 1.75rem) clamp(.75rem, 3vw, 2rem) 3rem; }
  nav.tabs { display: flex; flex-wrap: wrap; gap: .25rem; margin: 0 0 1rem; border-bottom: 1px solid var(--border); }
  nav.tabs a { padding: .45rem .8rem; border-radius: .4rem .4rem 0 0; color: inherit; text-decoration: none; }
  nav.tabs a[aria-current='page'] { font-weight: 600; border-bottom: 2px solid var(--accent); }
  .grid { display: grid; gap: 1rem; grid-template-columns: 1fr; }
  @media (min-width: 760px) {
    .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
    .wide { grid-column: 1 / -1; }
  }
  .card {
    background: var(--surface); border: 1px solid var(--border); border-radius: 12px;
    padding: 1rem 1.15rem; box-shadow: var(--shadow); min-width: 0;
  }
  .card.stale { opacity: .6; }
  h2 {
    margin: 0 0 .75rem; font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted);
    display: flex; align-items: center; justify-content: space-between; gap: .5rem; flex-wrap: wrap;
  }
  .who { font-size: 1.2rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
  .card dl.facts.small { margin-top: .75rem; }
  .card dl.facts.small dd { font-weight: 400; }
  .who strong { font-weight: 650; }
  .muted { color: var(--muted); }
  .small { font-size: .875rem; }
  code, .mono { font-family: var(--mono); font-size: .9em; overflow-wrap: anywhere; }

  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
  dl.facts dt { color: var(--muted); }
  dl.facts dd { margin: 0; font-weight: 550; overflow-wrap: anywhere; }

  ul.people { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
  @media (min-width: 760px) { ul.people { grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); } }
  ul.people li {
    display: flex; gap: .7rem; align-items: center; padding: .55rem .7rem;
    border: 1px solid var(--border); border-radius: 10px; background: var(--surface-2); min-width: 0;
  }
  .avatar {
    width: 2.1rem; height: 2.1rem; border-radius: 50%; flex: none; display: grid; place-items: center;
    background: var(--info-bg); color: var(--info); font-weight: 700; text-transform: uppercase;
  }
  .person { min-width: 0; }
  .person { display: grid; gap: .05rem; }
  .name-row { display: flex; flex-wrap: wrap; align-items: center; gap: .1rem; min-width: 0; }
  .person .name { font-weight: 600; overflow-wrap: anywhere; }
  .person .line { color: var(--muted); font-size: .85rem; overflow-wrap: anywhere; }
  .badge {
    display: inline-block; font-size: .72rem; font-weight: 700; padding: .05rem .45rem; border-radius: 999px;
    margin-left: .3rem; text-transform: uppercase; letter-spacing: .03em; flex: none;
  }
  .badge.you { background: var(--ok-bg); color: var(--ok); }
  .count { font-size: .8rem; color: var(--muted); text-transform: none; letter-spacing: 0; }

  .sev { display: inline-flex; gap: .4rem; flex-wrap: wrap; text-transform: none; letter-spacing: 0; }
  .chip { font-size: .78rem; font-weight: 700; padding: .1rem .55rem; border-radius: 999px; }
  .chip.critical { background: var(--bad-bg); color: var(--bad); }
  .chip.warn { background: var(--warn-bg); color: var(--warn); }
  .chip.info { background: var(--info-bg); color: var(--info); }
  ul.findings { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; }
  ul.findings details { border: 1px solid var(--border); border-radius: 10px; background: var(--surface-2); }
  ul.findings summary { cursor: pointer; padding: .55rem .75rem; display: flex; gap: .6rem; align-items: baseline; list-style: none; }
  ul.findings summary::-webkit-details-marker { display: none; }
  ul.findings summary::before { content: '▸'; color: var(--muted); flex: none; transition: transform .15s; }
  ul.findings details[open] > summary::before { transform: rotate(90deg); }
  ul.findings summary .title { font-weight: 600; }
  ul.findings .body { padding: 0 .75rem .7rem; }
  ul.findings .body p { margin: .35rem 0; }
  ul.findings .check { font-family: var(--mono); font-size: .8rem; color: var(--muted); }

  .panel {
    border-radius: 12px; padding: 1rem 1.15rem; margin-bottom: 1rem; border: 1px solid;
  }
  .panel.refused { background: var(--bad-bg); border-color: var(--bad); }
  .panel.reconnecting { background: var(--warn-bg); border-color: transparent; }
  .panel.denied { background: var(--warn-bg); border-color: var(--warn); }
  .panel.denied .code { color: var(--warn); }
  .you-can { margin: 0 0 .5rem; }
  .scope-note p { margin: 0; }
  .panel h2 { color: inherit; text-transform: none; letter-spacing: 0; font-size: 1.1rem; margin-bottom: .5rem; display: block; }
  .panel .code { font-family: var(--mono); font-weight: 700; color: var(--bad); overflow-wrap: anywhere; }
  .panel p { margin: .4rem 0; }
  .panel .label { font-weight: 700; }
  .panel .signed-in-as { font-size: 1.05rem; }
  .panel .claimed-user { overflow-wrap: anywhere; }

  form.credential { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-top: .8rem; }
  form.credential label { display: grid; gap: .25rem; font-weight: 600; flex: 1 1 16rem; }
  input {
    font: inherit; padding: .5rem .65rem; border-radius: 8px; border: 1px solid var(--border);
    background: var(--surface); color: var(--text); min-width: 0;
  }
  button {
    font: inherit; font-weight: 600; padding: .5rem .9rem; border-radius: 8px; cursor: pointer;
    border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text);
  }
  button.secondary { background: transparent; color: var(--accent); }
  .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .8rem; align-items: center; }
  @media (prefers-reduced-motion: no-preference) {
    .pill[data-state='connecting'] .dot, .pill[data-state='reconnecting'] .dot { animation: pulse 1.2s ease-in-out infinite; }
  }
  @keyframes pulse { 50% { opacity: .3; } }
`;
