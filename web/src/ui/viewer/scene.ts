// The three.js side of the ModelViewer. Only ModelViewer.tsx imports it, with a dynamic import(), so three and its
// orbit controls make a chunk of their own that only pages which draw in 3D download.
//
// Frames are drawn on demand: the animation loop asks the orbit controls whether the camera moved (damping, auto-rotate,
// a drag) and renders only then, so an idle viewer costs next to nothing. STL is Z-up, so the camera's up is +Z.
import {
  Box3,
  BufferAttribute,
  BufferGeometry,
  Color,
  DirectionalLight,
  DoubleSide,
  GridHelper,
  HemisphereLight,
  Mesh,
  MeshStandardMaterial,
  PerspectiveCamera,
  Quaternion,
  Scene,
  Sphere,
  Spherical,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

export class WebGLUnavailable extends Error {
  constructor() {
    super('WebGL is not available');
    this.name = 'WebGLUnavailable';
  }
}

export interface ViewerScene {
  /** Shows a triangle soup (nine floats per triangle), centred and framed. */
  setMesh(positions: Float32Array): void;
  setAutoRotate(on: boolean): void;
  /** Turns the camera about the part: radians around the vertical axis, and up or down. */
  rotate(azimuth: number, polar: number): void;
  /** Moves the camera closer (factor < 1) or further away (factor > 1). */
  zoom(factor: number): void;
  reset(): void;
  dispose(): void;
}

export interface SceneOptions {
  autoRotate: boolean;
  /** Called after the first frame with a mesh in it has been drawn. */
  onFirstFrame?: () => void;
  /** The browser took the GPU context away (driver reset, too many contexts). */
  onContextLost?: () => void;
}

export function createScene(host: HTMLElement, opts: SceneOptions): ViewerScene {
  const canvas = document.createElement('canvas');
  // The test for WebGL is the context itself: a renderer built without one throws an unhelpful error.
  const gl = canvas.getContext('webgl2', { antialias: true, preserveDrawingBuffer: true });
  if (!gl) throw new WebGLUnavailable();
  canvas.className = 'viewer-canvas';
  host.appendChild(canvas);

  // preserveDrawingBuffer keeps the last frame readable (a snapshot, an automated check that something was drawn).
  const renderer = new WebGLRenderer({ canvas, context: gl, antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  renderer.setClearColor(new Color('#eef2f5'));

  const scene = new Scene();
  const camera = new PerspectiveCamera(40, 1, 0.1, 10_000);
  camera.up.set(0, 0, 1);
  scene.add(camera);
  scene.add(new HemisphereLight(0xffffff, 0x8a96a3, 1.6));
  const key = new DirectionalLight(0xffffff, 1.8);
  key.position.set(1, 1.5, 2);
  camera.add(key); // the light follows the camera: the side you look at is lit

  const material = new MeshStandardMaterial({ color: new Color('#2a6f97'), metalness: 0.05, roughness: 0.55, side: DoubleSide });
  let mesh: Mesh<BufferGeometry, MeshStandardMaterial> | undefined;
  let grid: GridHelper | undefined;

  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = true;
  controls.dampingFactor = 0.12;
  controls.autoRotateSpeed = 2; // one turn in 30 s
  controls.autoRotate = opts.autoRotate;

  let dirty = true;
  let drewMesh = false;
  const render = () => {
    renderer.render(scene, camera);
    dirty = false;
    if (mesh && !drewMesh) {
      drewMesh = true;
      opts.onFirstFrame?.();
    }
  };
  renderer.setAnimationLoop(() => {
    // update() answers whether the camera moved: damping, auto-rotation, a drag.
    if (controls.update() || dirty) render();
  });
  controls.addEventListener('change', () => (dirty = true));

  const resize = () => {
    const w = Math.max(1, host.clientWidth);
    const h = Math.max(1, host.clientHeight);
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    dirty = true;
  };
  const observer = new ResizeObserver(resize);
  observer.observe(host);
  resize();

  const lost = (e: Event) => {
    e.preventDefault();
    opts.onContextLost?.();
  };
  canvas.addEventListener('webglcontextlost', lost);

  // The orbit maths in the camera's own frame, as OrbitControls does it (its up is +Z here, three's default is +Y).
  const toYUp = new Quaternion().setFromUnitVectors(camera.up, new Vector3(0, 1, 0));
  const fromYUp = toYUp.clone().invert();

  return {
    setMesh(positions) {
      if (mesh) {
        scene.remove(mesh);
        mesh.geometry.dispose();
      }
      if (grid) {
        scene.remove(grid);
        grid.dispose();
      }
      const geometry = new BufferGeometry();
      geometry.setAttribute('position', new BufferAttribute(positions, 3));
      geometry.computeVertexNormals();
      geometry.computeBoundingBox();
      const box = geometry.boundingBox ?? new Box3();
      const centre = box.getCenter(new Vector3());
      // Centred on the origin, standing on z = 0 as it would on a print bed.
      geometry.translate(-centre.x, -centre.y, -box.min.z);
      geometry.computeBoundingSphere();
      mesh = new Mesh(geometry, material);
      scene.add(mesh);

      const size = box.getSize(new Vector3());
      const span = Math.max(size.x, size.y, size.z, 1e-3);
      const step = 10 ** Math.floor(Math.log10(span / 2)); // 1, 10 or 100 mm squares, by the part's size
      const divisions = Math.max(2, Math.min(40, Math.ceil((span * 1.6) / step)));
      grid = new GridHelper(divisions * step, divisions, 0x9aa7b3, 0xc9d1d9);
      grid.rotation.x = Math.PI / 2; // GridHelper lies in XZ; the bed is XY
      scene.add(grid);

      const sphere = geometry.boundingSphere ?? new Sphere(new Vector3(), span);
      const distance = sphere.radius / Math.sin((camera.fov * Math.PI) / 360) * 1.15;
      controls.target.copy(sphere.center);
      camera.position.copy(sphere.center).add(new Vector3(1, -1.3, 0.9).normalize().multiplyScalar(distance));
      camera.near = Math.max(distance / 1000, 0.01);
      camera.far = distance * 20;
      camera.updateProjectionMatrix();
      controls.minDistance = sphere.radius * 0.3;
      controls.maxDistance = distance * 6;
      controls.update();
      controls.saveState();
      dirty = true;
    },
    setAutoRotate(on) {
      controls.autoRotate = on;
      dirty = true;
    },
    rotate(azimuth, polar) {
      const offset = camera.position.clone().sub(controls.target).applyQuaternion(toYUp);
      const s = new Spherical().setFromVector3(offset);
      s.theta += azimuth;
      s.phi = Math.min(Math.PI - 1e-3, Math.max(1e-3, s.phi + polar));
      offset.setFromSpherical(s).applyQuaternion(fromYUp);
      camera.position.copy(controls.target).add(offset);
      camera.lookAt(controls.target);
      controls.update();
      dirty = true;
    },
    zoom(factor) {
      const offset = camera.position.clone().sub(controls.target);
      const length = Math.min(controls.maxDistance, Math.max(controls.minDistance, offset.length() * factor));
      camera.position.copy(controls.target).add(offset.setLength(length));
      controls.update();
      dirty = true;
    },
    reset() {
      controls.reset();
      dirty = true;
    },
    dispose() {
      renderer.setAnimationLoop(null);
      observer.disconnect();
      canvas.removeEventListener('webglcontextlost', lost);
      controls.dispose();
      mesh?.geometry.dispose();
      grid?.dispose();
      material.dispose();
      renderer.dispose();
      // Browsers keep a handful of live WebGL contexts per page; give this one back now rather than at GC.
      renderer.forceContextLoss();
      canvas.remove();
    },
  };
}
