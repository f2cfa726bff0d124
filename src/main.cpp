#include "app/app.h"

int main(int argc, char** argv) { return parley::app::Main(argc, argv); }
