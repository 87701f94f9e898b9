// client.js is imported as text (`with { type: "text" }`) and inlined into the page.
declare const text: string;
export default text;
