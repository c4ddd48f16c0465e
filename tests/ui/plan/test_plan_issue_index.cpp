// SPDX-License-Identifier: Apache-2.0
// PlanIssueIndex: issues placed on tree nodes by module_path, else by every module their plan key
// resolves to (wildcards: each element; an empty ModuleList: the list), else the root; texts shown
// beside a node name the entry when the node is not the entry's own key.
#include <QtTest>

#include "plan_fixtures.h"
#include "ui/plan/plan_issue_index.h"

using namespace spstudio;
using namespace spstudio::ui;
using Paths = std::vector<std::string>;
using Indices = std::vector<std::size_t>;

namespace {

ValidationIssue issue(std::optional<std::string> key, std::optional<std::string> module, std::string message,
                      Severity severity = Severity::Error, std::string field = {}, std::string fix = {}) {
  return {severity, std::move(key), std::move(field), std::move(module), std::move(message), std::move(fix)};
}

}  // namespace

class TestPlanIssueIndex : public QObject {
  Q_OBJECT
 private slots:
  void placesIssues() {
    const ModelManifest manifest = plan_fixtures::tiny_flux_manifest();
    const PlanIssueIndex index(&manifest.root,
                               {
                                   issue("transformer_blocks.*.attn", "transformer_blocks.1.attn", "on one element"),
                                   issue("transformer_blocks.*.attn", std::nullopt, "on every element"),
                                   issue("proj_out", std::nullopt, "on the key's module"),
                                   issue(std::nullopt, std::nullopt, "about the degrees"),
                                   issue("nosuch.module", std::nullopt, "'nosuch' is not a submodule"),
                                   issue("a.*.*", std::nullopt, "two wildcards"),
                                   issue("proj_out", "not.a.module", "a module path the tree lacks"),
                               });
    QCOMPARE(index.nodesOf(0), Paths{"transformer_blocks.1.attn"});
    // tiny-flux has two double-stream blocks: the wildcard covers both attentions.
    QCOMPARE(index.nodesOf(1), (Paths{"transformer_blocks.0.attn", "transformer_blocks.1.attn"}));
    QCOMPARE(index.nodesOf(2), Paths{"proj_out"});
    QCOMPARE(index.nodesOf(3), Paths{""});
    QCOMPARE(index.nodesOf(4), Paths{""});
    QCOMPARE(index.nodesOf(5), Paths{""});
    QCOMPARE(index.nodesOf(6), Paths{"proj_out"});  // falls back to the plan key
    QCOMPARE(index.issuesAt("transformer_blocks.1.attn"), (Indices{0, 1}));
    QCOMPARE(index.issuesAt("transformer_blocks.0.attn"), Indices{1});
    QCOMPARE(index.issuesAt(""), (Indices{3, 4, 5}));
    QCOMPARE(index.issuesAt("proj_out"), (Indices{2, 6}));
    QCOMPARE(index.issuesAt("x_embedder"), Indices{});
  }

  void emptyWildcardGoesToTheList() {
    ModelManifest manifest = plan_fixtures::tiny_flux_manifest();
    for (ModuleNode& child : manifest.root.children)
      if (child.name == "single_transformer_blocks") child.children.clear();
    const PlanIssueIndex index(
        &manifest.root, {issue("single_transformer_blocks.*", std::nullopt, "covers no modules", Severity::Warning)});
    QCOMPARE(index.nodesOf(0), Paths{"single_transformer_blocks"});
  }

  void withoutTree() {
    const PlanIssueIndex index(nullptr, {issue("proj_out", "proj_out", "x")});
    QCOMPARE(index.nodesOf(0), Paths{""});
  }

  void texts() {
    const ValidationIssue wildcard =
        issue("transformer_blocks.*.attn", std::nullopt, "bad", Severity::Error, "split.hidden_states", "set auto_pad");
    // On an element: the entry is named, since the node's path is not the key.
    QCOMPARE(
        issue_text_at(wildcard, "transformer_blocks.0.attn"),
        std::string("error: plan entry \"transformer_blocks.*.attn\", split.hidden_states: bad (fix: set auto_pad)"));
    const ValidationIssue own = issue("proj_out", std::nullopt, "odd", Severity::Warning, "gather");
    QCOMPARE(issue_text_at(own, "proj_out"), std::string("warning: gather: odd"));
    // The root standing in for a key that does not resolve names the key.
    const ValidationIssue unresolved = issue("nosuch", std::nullopt, "'nosuch' is not a submodule of the root");
    QCOMPARE(issue_text_at(unresolved, ""),
             std::string("error: plan entry \"nosuch\": 'nosuch' is not a submodule of the root"));
    const ValidationIssue degrees = issue(std::nullopt, std::nullopt, "U=3 does not divide 4 heads", Severity::Error,
                                          "ulysses_degree", "use 1, 2 or 4");
    QCOMPARE(issue_text_at(degrees, ""),
             std::string("error: ulysses_degree: U=3 does not divide 4 heads (fix: use 1, 2 or 4)"));
  }
};

QTEST_APPLESS_MAIN(TestPlanIssueIndex)
#include "test_plan_issue_index.moc"
