// OURS, not Apple's: the declarations of metal-cpp's Foundation/Foundation.hpp that metal_host.cpp
// uses, with metal-cpp's names and signatures, so the host code is syntax- and type-checked on
// Linux (g++ -fsyntax-only). Nothing here is defined; a Mac build against the real metal-cpp is
// the real check (see the package README).
#pragma once

#include <cstdint>

namespace NS {
using UInteger = unsigned long;
using Integer = long;
using StringEncoding = UInteger;
constexpr StringEncoding UTF8StringEncoding = 4;

class Object {
 public:
  Object* retain();
  void release();
};

class String : public Object {
 public:
  static String* string(const char* cstr, StringEncoding encoding);
  const char* utf8String() const;
};

class Error : public Object {
 public:
  String* localizedDescription() const;
};

class AutoreleasePool : public Object {
 public:
  static AutoreleasePool* alloc();
  AutoreleasePool* init();
};
}  // namespace NS
