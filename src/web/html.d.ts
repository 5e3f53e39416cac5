// The pages are imported as text: esbuild's text loader (scripts/bundle-parts.ts).
declare module '*.html' {
  const text: string;
  export default text;
}
