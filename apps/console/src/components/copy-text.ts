/**
 * Copies `text` to the clipboard and says so. The Clipboard API needs a secure context and permission; without them
 * `element` (which shows the text) is selected instead, for Ctrl+C.
 */
export function copyText(text: string, element: HTMLElement | null, what: string, say: (message: string) => void): void {
  const selectInstead = () => {
    const selection = window.getSelection();
    if (element && selection) {
      const range = document.createRange();
      range.selectNodeContents(element);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    say(`The ${what.charAt(0).toLowerCase()}${what.slice(1)} is selected: press Ctrl+C (⌘C) to copy it.`);
  };
  const write = navigator.clipboard?.writeText(text);
  if (!write) return selectInstead();
  write.then(() => say(`${what} copied.`), selectInstead);
}
