// esbuild embeds a `.node` file as its bytes (loader "binary"), so the bundle is one file.
declare module '*.node' {
  const bytes: Uint8Array;
  export default bytes;
}
