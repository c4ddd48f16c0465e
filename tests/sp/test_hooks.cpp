// SPDX-License-Identifier: Apache-2.0
// SP_SEMANTICS.md §1: the calling convention, parameter lookup and the hook registry.
#include <gtest/gtest.h>

#include <torch/nn/pimpl.h>

#include "sp/hooks/hookable_module.h"

namespace spstudio::sp {
namespace {

/// forward(a, b, c) = a + b (c ignored); records calls.
class AddImpl : public HookableModule {
 public:
  AddImpl() : HookableModule("Add", {"a", "b", "c"}) {}
  int calls = 0;

 protected:
  Value forward_impl(const BoundArgs& args) override {
    ++calls;
    return args.tensor("a") + args.tensor("b");
  }
};
TORCH_MODULE(Add);

using Log = std::vector<std::string>;

class LoggingHook : public ModelHook {
 public:
  LoggingHook(std::string name, Log& log, bool override_forward = false)
      : name_(std::move(name)), log_(log), override_(override_forward) {}
  void initialize(HookableModule& m) override { log_.push_back(name_ + ".init(" + m.class_name() + ")"); }
  void pre_forward(HookableModule&, Args&) override { log_.push_back(name_ + ".pre"); }
  bool overrides_forward() const override { return override_; }
  Value new_forward(HookableModule& m, Args& args) override {
    log_.push_back(name_ + ".new_forward");
    return m.call_original(std::move(args)).toTensor() * 10;
  }
  Value post_forward(HookableModule&, Value out) override {
    log_.push_back(name_ + ".post");
    return out;
  }
  void reset_state(HookableModule&) override { log_.push_back(name_ + ".reset"); }

 private:
  std::string name_;
  Log& log_;
  bool override_;
};

TEST(Args, LookupNamedFirstThenDeclaredPosition) {
  const Signature sig("Add", {"a", "b", "c"});
  Args args{at::ones({1}), at::full({1}, 2.0)};
  args.with("c", Value(int64_t{7}));
  EXPECT_EQ(sig.find(args, "a")->toTensor().item<float>(), 1.0f);  // positional 0
  EXPECT_EQ(sig.find(args, "b")->toTensor().item<float>(), 2.0f);  // positional 1
  EXPECT_EQ(sig.find(args, "c")->toInt(), 7);                      // named
  Args partial{at::ones({1})};
  EXPECT_EQ(sig.find(partial, "b"), nullptr);  // declared but not passed: the entry is skipped
  try {
    sig.find(args, "d");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Add has no forward parameter 'd' (parameters: a, b, c)");
  }
  EXPECT_EQ(sig.index_of("c"), 2);
  EXPECT_EQ(sig.index_of("zz"), -1);
}

TEST(Args, BindingRejectsWhatTheSignatureCannotTake) {
  Add add;
  EXPECT_THROW(add->call(Args{at::ones({1}), at::ones({1}), Value(), Value()}), std::invalid_argument);
  EXPECT_THROW(add->call(Args{at::ones({1})}.with("x", at::ones({1}))), std::invalid_argument);
  try {
    add->call(Args{at::ones({1}), at::ones({1})}.with("a", at::ones({1})));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Add: parameter 'a' was given both by position and by name");
  }
  // Named arguments in any order.
  const at::Tensor r = add->call(Args{}.with("b", at::full({1}, 3.0)).with("a", at::ones({1}))).toTensor();
  EXPECT_EQ(r.item<float>(), 4.0f);
  // A tensor parameter that got something else says which.
  try {
    add->call(Args{Value(int64_t{1}), at::ones({1})});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Add: parameter 'a' must be a tensor, got int");
  }
}

TEST(HookRegistry, NoHooksRunsThePlainForward) {
  Add add;
  EXPECT_EQ(add->hook_registry(), nullptr);
  EXPECT_EQ(add->call({at::ones({1}), at::ones({1})}).toTensor().item<float>(), 2.0f);
  EXPECT_EQ(add->calls, 1);
}

TEST(HookRegistry, DispatchOrderIsSortedPreOneForwardReversePost) {
  Add add;
  Log log;
  // Registered out of order; "m_override" replaces the forward wherever it sorts.
  add->hooks().register_hook("c_hook", std::make_shared<LoggingHook>("c", log));
  add->hooks().register_hook("a_hook", std::make_shared<LoggingHook>("a", log));
  add->hooks().register_hook("m_override", std::make_shared<LoggingHook>("m", log, true));
  add->hooks().register_hook("b_hook", std::make_shared<LoggingHook>("b", log));
  EXPECT_EQ(log, (Log{"c.init(Add)", "a.init(Add)", "m.init(Add)", "b.init(Add)"}));
  log.clear();
  const at::Tensor r = add->call({at::ones({1}), at::ones({1})}).toTensor();
  EXPECT_EQ(r.item<float>(), 20.0f);  // the override's forward ran (×10), once
  EXPECT_EQ(add->calls, 1);
  EXPECT_EQ(log, (Log{"a.pre", "b.pre", "c.pre", "m.pre", "m.new_forward", "m.post", "c.post", "b.post", "a.post"}));
  EXPECT_EQ(add->hooks().names(), (std::vector<std::string>{"a_hook", "b_hook", "c_hook", "m_override"}));
}

TEST(HookRegistry, SecondForwardOverrideAndDuplicateNamesAreRefused) {
  Add add;
  Log log;
  add->hooks().register_hook("one", std::make_shared<LoggingHook>("one", log, true));
  try {
    add->hooks().register_hook("two", std::make_shared<LoggingHook>("two", log, true));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "Add: hook 'two' overrides the forward, but hook 'one' already does; only one hook may replace a "
                 "module's forward");
  }
  EXPECT_THROW(add->hooks().register_hook("one", std::make_shared<LoggingHook>("x", log)), std::invalid_argument);
  // After removing the override another may take its place.
  EXPECT_TRUE(add->hooks().remove_hook("one"));
  add->hooks().register_hook("two", std::make_shared<LoggingHook>("two", log, true));
  EXPECT_NE(add->hooks().get_hook("two"), nullptr);
}

TEST(HookRegistry, RemoveGetResetAndResetAll) {
  Add add;
  Log log;
  add->hooks().register_hook("a", std::make_shared<LoggingHook>("a", log));
  add->hooks().register_hook("b", std::make_shared<LoggingHook>("b", log));
  EXPECT_EQ(add->hooks().get_hook("zz"), nullptr);
  EXPECT_FALSE(add->hooks().remove_hook("zz"));
  log.clear();
  add->hooks().reset_hook("b");
  EXPECT_EQ(log, Log{"b.reset"});
  EXPECT_THROW(add->hooks().reset_hook("zz"), std::invalid_argument);
  EXPECT_TRUE(add->hooks().remove_hook("a"));
  log.clear();
  add->call({at::ones({1}), at::ones({1})});
  EXPECT_EQ(log, (Log{"b.pre", "b.post"}));
  log.clear();
  add->hooks().reset();
  EXPECT_EQ(log, Log{"b.reset"});
  EXPECT_TRUE(add->hooks().empty());
  log.clear();
  add->call({at::ones({1}), at::ones({1})});
  EXPECT_TRUE(log.empty());
}

TEST(HookRegistry, PreForwardCanRewriteArguments) {
  struct Doubler : ModelHook {
    void pre_forward(HookableModule& m, Args& args) override {
      Value* b = m.signature().find(args, "b");
      *b = b->toTensor() * 2;
    }
  };
  Add add;
  add->hooks().register_hook("double_b", std::make_shared<Doubler>());
  EXPECT_EQ(add->call(Args{at::ones({1})}.with("b", at::ones({1}))).toTensor().item<float>(), 3.0f);
  EXPECT_EQ(add->call(Args{at::ones({1}), at::ones({1})}).toTensor().item<float>(), 3.0f);
}

TEST(HookRegistry, CallDepthCountsNestedHookableCalls) {
  struct Probe : ModelHook {
    int seen = -1;
    void pre_forward(HookableModule&, Args&) override { seen = current_call_depth(); }
  };
  Add add;
  auto probe = std::make_shared<Probe>();
  add->hooks().register_hook("probe", probe);
  EXPECT_EQ(current_call_depth(), 0);
  add->call({at::ones({1}), at::ones({1})});
  EXPECT_EQ(probe->seen, 1);
  EXPECT_EQ(current_call_depth(), 0);
}

}  // namespace
}  // namespace spstudio::sp
