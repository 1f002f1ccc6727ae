// The one query that names a job's targets (product.md §10).
#include <gtest/gtest.h>

#include "discovery/discovery_service.hpp"

namespace sentinel::discovery {
namespace {

TEST(NameLookup, OneGroupQueryForTheWholeJobWithTheJobQuoted) {
  EXPECT_EQ(name_lookup_query("node", "nodename"), R"(group by (instance, nodename) ({job="node", nodename!=""}))");
  EXPECT_EQ(name_lookup_query(R"(we"ird\job)", "host"),
            R"(group by (instance, host) ({job="we\"ird\\job", host!=""}))");
}

}  // namespace
}  // namespace sentinel::discovery
