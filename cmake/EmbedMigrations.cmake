# Writes OUTPUT: a C++ source defining `const std::vector<Migration>& Migrations()` in NAMESPACE, with every
# INPUT_DIR/NNNN_name.sql file in version order.
file(GLOB files ${INPUT_DIR}/*.sql)
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  math(EXPR version "${version} + 0")
  file(READ ${f} sql)
  string(APPEND body "    {${version}, \"${name}\", R\"parley_sql(${sql})parley_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from ${INPUT_DIR} by cmake/EmbedMigrations.cmake. Do not edit.
#include \"store/migration.h\"

namespace ${NAMESPACE} {

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
${body}  };
  return migrations;
}

}  // namespace ${NAMESPACE}
")
configure_file(${OUTPUT}.tmp ${OUTPUT} COPYONLY)
