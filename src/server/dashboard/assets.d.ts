// Dashboard assets are embedded in the binary as text or files at build time.
declare module "*.eta" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*.ico" {
  const path: string;
  export default path;
}
