/** Entry point: registers the <mayros-console> element that index.html already contains. */
import './console.js';
