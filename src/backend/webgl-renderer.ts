/** The WebGL renderer string of this page, or undefined where WebGL (or the DOM) is missing. */
export function webGlRenderer(): string | undefined {
  const scope = globalThis as { document?: Document; OffscreenCanvas?: typeof OffscreenCanvas };
  const canvas = scope.OffscreenCanvas
    ? new scope.OffscreenCanvas(1, 1)
    : scope.document?.createElement('canvas');
  const gl = canvas?.getContext('webgl2') as WebGL2RenderingContext | null | undefined;
  if (!gl) return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

/** Whether a WebGL renderer string names a software rasteriser (SwiftShader, llvmpipe, WARP). */
export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i.test(renderer);
}
