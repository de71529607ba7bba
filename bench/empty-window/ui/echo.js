// The keystroke floor of the desktop benchmark: the least a page can do for a keystroke (show
// the text typed). A file of its own, not inline, so the page keeps the app's CSP.
const input = document.getElementById('echo-input');
const echo = document.getElementById('echo');
input.addEventListener('input', () => {
  echo.textContent = input.value;
  echo.dataset.shown = input.value;
});
