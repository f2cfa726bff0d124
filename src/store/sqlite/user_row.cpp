#include "store/sqlite/user_row.h"

namespace parley::store::sqlite {

User ReadUser(const Statement& row) {
  return {row.Int(0),    row.Int(1), row.String(2),      row.String(3),   row.String(4),
          row.String(5), row.Int(6), row.OptionalInt(7), row.Int(8) != 0, row.String(9)};
}

}  // namespace parley::store::sqlite
