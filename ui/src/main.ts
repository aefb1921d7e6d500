/** Entry point: registers the <mayros-console> element that index.html already contains, and the views' elements. */
import './console.js';
import './views/chat.js';
