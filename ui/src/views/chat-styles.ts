/**
 * The chat view's stylesheet (on top of the console's, for buttons, panels and type). Colours are
 * global.css's custom properties, so dark mode follows prefers-color-scheme; one column up to
 * 759 px (the session list above the transcript), nothing wider than the screen at 360 px: code
 * blocks and tables scroll inside their box.
 */
import { css } from 'lit';
import { styles } from '../styles.js';

const chat = css`
  :host { display: block; }
  .chat { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); min-width: 0; }
  @media (min-width: 760px) { .chat { grid-template-columns: 15rem minmax(0, 1fr); } }

  nav.sessions { display: grid; gap: .5rem; align-content: start; min-width: 0; }
  nav.sessions ul { list-style: none; margin: 0; padding: 0; display: grid; gap: .25rem; }
  @media (max-width: 759px) { nav.sessions ul { max-height: 9.5rem; overflow-y: auto; } }
  nav.sessions li { display: flex; align-items: center; gap: .25rem; min-width: 0; border-radius: 8px; }
  nav.sessions li[aria-current='true'] { background: var(--surface); box-shadow: inset 3px 0 0 var(--accent); }
  button.session {
    flex: 1 1 auto; min-width: 0; text-align: left; background: transparent; border-color: transparent; color: var(--text);
    font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; padding: .4rem .6rem;
  }
  li[aria-current='true'] button.session { font-weight: 650; }
  button.session { display: grid; gap: .05rem; }
  button.session .title, button.session .owner { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  button.session .owner { font-weight: 400; }
  label.everyone { display: flex; align-items: center; gap: .4rem; cursor: pointer; }
  .session-actions { display: flex; flex: none; }
  button.icon { background: transparent; border-color: transparent; color: var(--muted); padding: .3rem .5rem; line-height: 1; }
  button.icon:hover { color: var(--text); }
  .rename-form { display: flex; gap: .25rem; min-width: 0; flex: 1 1 auto; }
  .rename-form input { flex: 1 1 auto; min-width: 0; padding: .3rem .5rem; }
  .rename-form button { padding: .3rem .6rem; }

  section.conversation { display: grid; gap: .75rem; min-width: 0; align-content: start; }
  .model-in-use { margin: 0; overflow-wrap: anywhere; }
  .model-in-use .down { color: var(--warn); }
  ol.transcript {
    list-style: none; margin: 0; padding: .25rem; display: grid; gap: .9rem; align-content: start;
    max-height: calc(100vh - 20rem); min-height: 12rem; overflow-y: auto; min-width: 0;
  }
  li.msg { display: grid; gap: .2rem; min-width: 0; }
  li.msg.user { justify-items: end; }
  .meta { display: flex; flex-wrap: wrap; gap: .15rem .6rem; }
  .meta .model { font-family: var(--mono); }
  .bubble {
    max-width: min(100%, 46rem); min-width: 0; padding: .55rem .8rem; border-radius: 12px;
    border: 1px solid var(--border); background: var(--surface); overflow-wrap: anywhere;
  }
  li.msg.user .bubble { background: var(--info-bg); border-color: transparent; white-space: pre-wrap; }
  li.msg[data-state='sending'] .bubble { opacity: .7; }
  .answer > :first-child { margin-top: 0; }
  .answer > :last-child { margin-bottom: 0; }
  .answer p, .answer ul, .answer ol, .answer blockquote, .answer pre, .answer table { margin: .45rem 0; }
  .answer ul, .answer ol { padding-left: 1.4rem; }
  .answer h1, .answer h2, .answer h3, .answer h4, .answer h5, .answer h6 {
    font-size: 1.05rem; margin: .7rem 0 .35rem; text-transform: none; letter-spacing: 0; color: inherit; display: block;
  }
  .answer pre {
    background: var(--surface-2); border: 1px solid var(--border); border-radius: 8px; padding: .6rem .75rem;
    overflow-x: auto; max-width: 100%;
  }
  .answer pre code { overflow-wrap: normal; white-space: pre; }
  .answer code { background: var(--surface-2); border-radius: 4px; padding: 0 .2rem; }
  .answer pre code { background: none; padding: 0; }
  .answer blockquote { border-left: 3px solid var(--border); padding-left: .75rem; color: var(--muted); }
  .answer table { display: block; overflow-x: auto; max-width: 100%; border-collapse: collapse; }
  .answer th, .answer td { border: 1px solid var(--border); padding: .25rem .5rem; }
  li.msg[data-state='streaming'] .answer:empty::after, li.msg[data-state='streaming'] .answer > :last-child::after { content: '▍'; color: var(--muted); }
  .end-reason { border-left: 3px solid var(--bad); padding-left: .6rem; max-width: 46rem; }
  .end-reason p { margin: .2rem 0; }
  .end-reason .code { font-family: var(--mono); font-weight: 700; color: var(--bad); overflow-wrap: anywhere; }
  .end { margin: 0; }
  li.older, li.empty { justify-self: center; }

  form.composer-form { display: flex; gap: .5rem; align-items: end; min-width: 0; }
  textarea.composer {
    flex: 1 1 auto; min-width: 0; resize: vertical; min-height: 3.2rem; max-height: 40vh; font: inherit;
    padding: .55rem .7rem; border-radius: 10px; border: 1px solid var(--border); background: var(--surface); color: var(--text);
  }
  .composer-actions { display: flex; flex: none; }
  button.stop { background: var(--bad); border-color: var(--bad); color: var(--accent-text); }
  button:disabled { opacity: .5; cursor: not-allowed; }
  .panel.setup { background: var(--info-bg); border-color: var(--info); margin: 0; }
  .panel.denied { margin: 0; }
  pre.snippet { background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: .6rem .75rem; overflow-x: auto; margin: .5rem 0; }
  pre.snippet code { white-space: pre; overflow-wrap: normal; }
  .read-only { margin: 0; }
  .read-only.others { background: var(--info-bg); border-left: 3px solid var(--info); border-radius: 6px; padding: .5rem .75rem; overflow-wrap: anywhere; }
`;

export const chatStyles = [styles, chat];
