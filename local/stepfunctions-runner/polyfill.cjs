// aws-local-stepfunctions 3 uses Promise.withResolvers, which Node gained in
// version 22; this lets the runner work on Node 20 as well.
if (typeof Promise.withResolvers !== "function") {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
