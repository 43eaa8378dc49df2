// Express 4 is installed under the alias `express4` (an npm alias) next to Express 5, with no
// types of its own: the tests use it through Express 5's types, whose shape the tests keep to.
declare module 'express4' {
  import express from 'express';
  export default express;
}
