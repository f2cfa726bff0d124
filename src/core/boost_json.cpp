// Boost.JSON ships header-only in Debian's Boost 1.81: its sources are compiled once, here.
#include <boost/json/src.hpp>
