/** Small pretrained-style networks for tests of the backbone code: built in the test, no files needed. */
import * as tf from '@tensorflow/tfjs';

/** A small conv net with a classifier: conv-BN-ReLU (8) → conv-BN-ReLU stride 2 (12) → GAP → Dense(4). */
export function smallModel(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3], name: 'img' });
  let x = input as tf.SymbolicTensor;
  ([['c1', 8, 1], ['c2', 12, 2]] as const).forEach(([name, filters, strides], i) => {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, strides, padding: 'same', name, kernelInitializer: tf.initializers.heNormal({ seed: 10 + i }) })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, name: 'logits', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out, name: 'small' });
  // BatchNorm statistics far from a batch's own, so inference and batch mode differ clearly.
  for (const name of ['c1_bn', 'c2_bn']) {
    const bn = model.getLayer(name);
    const c = bn.getWeights()[0]!.shape[0]!;
    tf.tidy(() =>
      bn.setWeights([
        tf.randomUniform([c], 0.5, 1.5, 'float32', 1),
        tf.randomUniform([c], -0.5, 0.5, 'float32', 2),
        tf.randomUniform([c], -1, 1, 'float32', 3),
        tf.randomUniform([c], 0.5, 3, 'float32', 4),
      ]),
    );
  }
  return model;
}

