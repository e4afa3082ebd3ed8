using System.Runtime.CompilerServices;

// ILGPU's CPU accelerator emits a dynamic assembly named ILGPURuntime that calls the kernels and
// takes their argument types (GemmShape); those stay internal to this library.
[assembly: InternalsVisibleTo("ILGPURuntime")]
