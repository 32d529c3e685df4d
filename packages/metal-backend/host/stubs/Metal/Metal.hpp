// OURS, not Apple's: the declarations of metal-cpp's Metal/Metal.hpp that metal_host.cpp uses,
// with metal-cpp's names and signatures (metal-cpp for macOS 14 / Metal 3.1), so the host code is
// syntax- and type-checked on Linux. Nothing is defined; a Mac build is the real check.
#pragma once

#include <Foundation/Foundation.hpp>
#include <cstdint>
#include <functional>

namespace MTL {
using ResourceOptions = NS::UInteger;
constexpr ResourceOptions ResourceStorageModeShared = 0;
constexpr ResourceOptions ResourceHazardTrackingModeTracked = 512;

struct Size {
  Size(NS::UInteger width, NS::UInteger height, NS::UInteger depth);
  NS::UInteger width, height, depth;
};

enum CommandBufferStatus : NS::UInteger {
  CommandBufferStatusNotEnqueued = 0,
  CommandBufferStatusEnqueued = 1,
  CommandBufferStatusCommitted = 2,
  CommandBufferStatusScheduled = 3,
  CommandBufferStatusCompleted = 4,
  CommandBufferStatusError = 5,
};

class Buffer : public NS::Object {
 public:
  void* contents();
  NS::UInteger length() const;
};

class Function : public NS::Object {};

class Library : public NS::Object {
 public:
  Function* newFunction(const NS::String* functionName);
};

class CompileOptions : public NS::Object {
 public:
  static CompileOptions* alloc();
  CompileOptions* init();
  void setFastMathEnabled(bool fastMathEnabled);
};

class ComputePipelineState : public NS::Object {
 public:
  NS::UInteger maxTotalThreadsPerThreadgroup() const;
  NS::UInteger threadExecutionWidth() const;
};

class Event : public NS::Object {};

class SharedEvent : public Event {
 public:
  uint64_t signaledValue() const;
};

class ComputeCommandEncoder : public NS::Object {
 public:
  void setComputePipelineState(const ComputePipelineState* state);
  void setBuffer(const Buffer* buffer, NS::UInteger offset, NS::UInteger index);
  void setBytes(const void* bytes, NS::UInteger length, NS::UInteger index);
  void dispatchThreadgroups(Size threadgroupsPerGrid, Size threadsPerThreadgroup);
  void dispatchThreads(Size threadsPerGrid, Size threadsPerThreadgroup);
  void endEncoding();
};

class CommandBuffer;
// metal-cpp also has a block overload (`void (^)(CommandBuffer*)`), which g++ cannot declare; a C++
// lambda converts only to this one, as on a Mac outside Objective-C++.
using HandlerFunction = std::function<void(CommandBuffer*)>;

class CommandBuffer : public NS::Object {
 public:
  ComputeCommandEncoder* computeCommandEncoder();
  void addCompletedHandler(const HandlerFunction& function);
  void encodeSignalEvent(const Event* event, uint64_t value);
  void encodeWait(const Event* event, uint64_t value);
  void commit();
  void waitUntilCompleted();
  CommandBufferStatus status() const;
  NS::Error* error() const;
};

class CommandQueue : public NS::Object {
 public:
  CommandBuffer* commandBuffer();
};

class Device : public NS::Object {
 public:
  CommandQueue* newCommandQueue();
  Buffer* newBuffer(NS::UInteger length, ResourceOptions options);
  Library* newLibrary(const NS::String* source, const CompileOptions* options, NS::Error** error);
  ComputePipelineState* newComputePipelineState(const Function* computeFunction, NS::Error** error);
  SharedEvent* newSharedEvent();
  bool hasUnifiedMemory() const;
  NS::String* name() const;
};

Device* CreateSystemDefaultDevice();
}  // namespace MTL
